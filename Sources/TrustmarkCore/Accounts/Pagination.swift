/// A page of a list as the API and the staff pages ask for it. Out-of-range input is clamped, not
/// refused, so a hand-typed URL still shows something sensible.
public struct Paging: Sendable, Equatable {
    public static let defaultSize = 25
    public static let maximumSize = 100
    /// Far beyond any list; keeps the offset a number the database accepts.
    public static let maximumPage = 1_000_000

    public let page: Int
    public let size: Int

    public init(page: Int?, size: Int?) {
        self.page = min(Self.maximumPage, max(1, page ?? 1))
        self.size = min(Self.maximumSize, max(1, size ?? Self.defaultSize))
    }

    public var offset: Int { (page - 1) * size }
}

/// A page of results with what a client needs to fetch the next one.
public struct PagedList<Item: Sendable>: Sendable {
    public let items: [Item]
    public let page: Int
    public let size: Int
    public let total: Int

    public init(items: [Item], request: Paging, total: Int) {
        self.items = items
        self.page = request.page
        self.size = request.size
        self.total = total
    }

    public var pageCount: Int { max(1, (total + size - 1) / size) }
    public var hasNext: Bool { page < pageCount }
    public var hasPrevious: Bool { page > 1 }
}
