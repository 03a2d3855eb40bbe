import Hummingbird
import HTTPTypes

/// Whom to count a request against when limiting: the peer, or, when the peer is a reverse proxy
/// on this machine (nginx in front), the first address of its `X-Forwarded-For`. A header sent
/// from elsewhere is not believed, so a client cannot escape its limit by inventing addresses.
enum ClientAddress {
    static func forLimits(_ request: Request, _ context: AppRequestContext) -> String {
        let peer = context.remoteAddress ?? "unknown"
        guard isLoopback(peer), let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!]?.split(separator: ",").first else { return peer }
        let first = forwarded.trimmingCharacters(in: .whitespaces)
        return first.isEmpty ? peer : first
    }

    /// The address a signature came from, as evidence: the proxy's `X-Forwarded-For` first hop as
    /// given, else the peer.
    static func claimed(_ request: Request, _ context: AppRequestContext) -> String {
        if let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!]?.split(separator: ",").first {
            return String(forwarded).trimmingWhitespace()
        }
        return context.remoteAddress ?? "unknown"
    }

    static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1" || address == "unknown"
    }
}
