import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers seal requests on the connection, before they become Swift tasks: a seal whose shop is
/// in memory is written straight back from the event loop, which is what lets every page view of
/// every member shop ask for it. Everything else (other addresses, a shop not yet in memory, a
/// client that wants the connection closed) goes on to the application unchanged.
///
/// Responses must leave in the order the requests came. A request that went on to the application
/// is answered there, later; while one is outstanding on this connection, seals go on too, so a
/// pipelining client never gets a seal ahead of an earlier answer.
final class SealChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let controller: SealController
    /// Requests passed on whose responses have not ended yet.
    private var outstanding = 0
    /// The answer to the request being read, sent once its end arrives.
    private var answer: (head: HTTPResponse, body: ByteBuffer?)?

    init(controller: SealController) {
        self.controller = controller
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            if outstanding == 0, let ready = controller.answerInMemory(request) {
                answer = ready
                return
            }
            outstanding += 1
            context.fireChannelRead(data)
        case .body:
            // A seal request has nothing to read; anything else goes on.
            if answer == nil { context.fireChannelRead(data) }
        case .end:
            guard let ready = answer else { return context.fireChannelRead(data) }
            answer = nil
            context.write(wrapOutboundOut(.head(ready.head)), promise: nil)
            if let body = ready.body { context.write(wrapOutboundOut(.body(body)), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { outstanding = max(0, outstanding - 1) }
        context.write(data, promise: promise)
    }
}
