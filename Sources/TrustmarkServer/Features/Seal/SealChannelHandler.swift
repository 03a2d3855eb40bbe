import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Answers seal requests on the connection, before they become Swift tasks and before the HTTP/1
/// parts are turned into HTTP types: a seal whose answer its event loop keeps (`SealLoopCache`) or
/// whose shop is in memory is written straight back from the event loop, which is what lets every
/// page view of every member shop ask for it. Everything else (other addresses, a shop not yet in
/// memory, a client that wants the connection closed) goes on to the application unchanged.
///
/// Responses must leave in the order the requests came. A request that went on to the application
/// is answered there, later; while one is outstanding on this connection, seals go on too, so a
/// pipelining client never gets a seal ahead of an earlier answer.
final class SealConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let cache: SealLoopCache
    /// Requests passed on whose responses have not ended yet.
    private var outstanding = 0
    /// The answer to the request being read, sent once its end arrives.
    private var answer: (head: HTTPResponseHead, body: ByteBuffer?)?

    init(cache: SealLoopCache) {
        self.cache = cache
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            if outstanding == 0, let ready = cache.answer(request) {
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
            if let body = ready.body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { outstanding = max(0, outstanding - 1) }
        context.write(data, promise: promise)
    }
}

/// What the server puts in each connection's pipeline (Hummingbird adds its handlers after the HTTP
/// types codec): once added, it puts a `SealConnectionHandler` in front of that codec, with its
/// event loop's cache, and takes itself out. Without the codec (another kind of channel) it stays,
/// passing everything on.
final class SealChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart

    private let caches: SealLoopCaches

    init(caches: SealLoopCaches) {
        self.caches = caches
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        guard let codec = try? pipeline.handler(type: HTTP1ToHTTPServerCodec.self) else { return }
        do {
            try pipeline.addHandler(SealConnectionHandler(cache: caches.cache(for: context.eventLoop)), position: .before(codec))
            pipeline.removeHandler(context: context, promise: nil)
        } catch {
            // The application answers seals by itself as well.
        }
    }
}
