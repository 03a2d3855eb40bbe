import Foundation
import Mustache

/// Turns a page (any `Encodable`) into dictionaries, arrays and plain values, once per render.
///
/// The template engine finds a struct's fields by reflection, for every tag and for every level of
/// a dotted name; on a page of a few hundred tags that was most of the cost of a request. In a
/// dictionary it is a hash lookup. Dates, UUIDs, URLs and decimals stay as they are, so they print
/// as they did.
enum TemplateValues {
    /// A page object or the texts of a language: looked up by key. A plain class rather than a
    /// dictionary, because the engine asks every value it meets which protocols it conforms to,
    /// and that question is cheaper for a final class than for a generic dictionary type.
    final class TemplateObject: MustacheParent, @unchecked Sendable {
        let values: [String: Any]

        init(_ values: [String: Any]) {
            self.values = values
        }

        func child(named name: String) -> Any? { values[name] }
    }

    final class Texts: MustacheParent, Sendable {
        let table: [String: String]

        init(_ table: [String: String]) {
            self.table = table
        }

        func child(named name: String) -> Any? { table[name] }
    }

    static func tree(_ value: some Encodable) -> Any {
        let node = Node()
        node.store(value)
        return node.value
    }

    /// One value in the tree being built: a dictionary, a list or a plain value.
    fileprivate final class Node {
        var keyed: [String: Node]?
        var unkeyed: [Node]?
        var plain: Any?

        /// Nothing was stored (an encoded nil).
        var isEmpty: Bool { keyed == nil && unkeyed == nil && plain == nil }

        var value: Any {
            // A nil field is left out, as if it had not been encoded: the template sees no value.
            if let keyed { return TemplateObject(keyed.compactMapValues { $0.isEmpty ? nil : $0.value }) }
            if let unkeyed { return unkeyed.map(\.value) }
            return plain ?? (String?.none as Any)
        }

        func store(_ value: some Encodable) {
            switch value {
            case is String, is Bool, is Int, is Double, is Date, is UUID, is URL, is Decimal:
                plain = value
            default:
                // Encoding into memory has nothing that can fail; a type that throws leaves its node empty.
                try? value.encode(to: TreeEncoder(node: self, codingPath: []))
            }
        }

        static func of(_ value: some Encodable) -> Node {
            let node = Node()
            node.store(value)
            return node
        }

        static func plain(_ value: Any) -> Node {
            let node = Node()
            node.plain = value
            return node
        }
    }

    private struct TreeEncoder: Encoder {
        let node: Node
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if node.keyed == nil { node.keyed = [:] }
            return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if node.unkeyed == nil { node.unkeyed = [] }
            return Unkeyed(node: node, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            Single(node: node, codingPath: codingPath)
        }
    }

    private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        let codingPath: [any CodingKey]

        private func put(_ child: Node, _ key: Key) { node.keyed?[key.stringValue] = child }
        mutating func encodeNil(forKey key: Key) { put(Node(), key) }
        mutating func encode(_ value: Bool, forKey key: Key) { put(.plain(value), key) }
        mutating func encode(_ value: String, forKey key: Key) { put(.plain(value), key) }
        mutating func encode(_ value: Double, forKey key: Key) { put(.plain(value), key) }
        mutating func encode(_ value: Float, forKey key: Key) { put(.plain(Double(value)), key) }
        mutating func encode(_ value: Int, forKey key: Key) { put(.plain(value), key) }
        mutating func encode(_ value: Int8, forKey key: Key) { put(.plain(value), key) }
        mutating func encode(_ value: Int16, forKey key: Key) { put(.plain(value), key) }
        mutating func encode(_ value: Int32, forKey key: Key) { put(.plain(value), key) }
        mutating func encode(_ value: Int64, forKey key: Key) { put(.plain(value), key) }
        mutating func encode(_ value: UInt, forKey key: Key) { put(.plain(value), key) }
        mutating func encode(_ value: UInt8, forKey key: Key) { put(.plain(value), key) }
        mutating func encode(_ value: UInt16, forKey key: Key) { put(.plain(value), key) }
        mutating func encode(_ value: UInt32, forKey key: Key) { put(.plain(value), key) }
        mutating func encode(_ value: UInt64, forKey key: Key) { put(.plain(value), key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) { put(.of(value), key) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let child = Node()
            put(child, key)
            return TreeEncoder(node: child, codingPath: codingPath + [key]).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = Node()
            put(child, key)
            return TreeEncoder(node: child, codingPath: codingPath + [key]).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { TreeEncoder(node: node, codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            let child = Node()
            put(child, key)
            return TreeEncoder(node: child, codingPath: codingPath + [key])
        }
    }

    private struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]
        var count: Int { node.unkeyed?.count ?? 0 }

        private func add(_ child: Node) { node.unkeyed?.append(child) }
        mutating func encodeNil() { add(Node()) }
        mutating func encode(_ value: Bool) { add(.plain(value)) }
        mutating func encode(_ value: String) { add(.plain(value)) }
        mutating func encode(_ value: Double) { add(.plain(value)) }
        mutating func encode(_ value: Float) { add(.plain(Double(value))) }
        mutating func encode(_ value: Int) { add(.plain(value)) }
        mutating func encode(_ value: Int8) { add(.plain(value)) }
        mutating func encode(_ value: Int16) { add(.plain(value)) }
        mutating func encode(_ value: Int32) { add(.plain(value)) }
        mutating func encode(_ value: Int64) { add(.plain(value)) }
        mutating func encode(_ value: UInt) { add(.plain(value)) }
        mutating func encode(_ value: UInt8) { add(.plain(value)) }
        mutating func encode(_ value: UInt16) { add(.plain(value)) }
        mutating func encode(_ value: UInt32) { add(.plain(value)) }
        mutating func encode(_ value: UInt64) { add(.plain(value)) }
        mutating func encode<T: Encodable>(_ value: T) { add(.of(value)) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let child = Node()
            add(child)
            return TreeEncoder(node: child, codingPath: codingPath).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = Node()
            add(child)
            return TreeEncoder(node: child, codingPath: codingPath).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            let child = Node()
            add(child)
            return TreeEncoder(node: child, codingPath: codingPath)
        }
    }

    private struct Single: SingleValueEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]

        mutating func encodeNil() { node.plain = nil }
        mutating func encode(_ value: Bool) { node.plain = value }
        mutating func encode(_ value: String) { node.plain = value }
        mutating func encode(_ value: Double) { node.plain = value }
        mutating func encode(_ value: Float) { node.plain = Double(value) }
        mutating func encode(_ value: Int) { node.plain = value }
        mutating func encode(_ value: Int8) { node.plain = value }
        mutating func encode(_ value: Int16) { node.plain = value }
        mutating func encode(_ value: Int32) { node.plain = value }
        mutating func encode(_ value: Int64) { node.plain = value }
        mutating func encode(_ value: UInt) { node.plain = value }
        mutating func encode(_ value: UInt8) { node.plain = value }
        mutating func encode(_ value: UInt16) { node.plain = value }
        mutating func encode(_ value: UInt32) { node.plain = value }
        mutating func encode(_ value: UInt64) { node.plain = value }
        mutating func encode<T: Encodable>(_ value: T) { node.store(value) }
    }
}
