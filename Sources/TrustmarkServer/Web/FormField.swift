import Foundation

/// One field of a form, described once in Swift so that a template renders every field the same
/// way (label, hint, the typed value back, the error beside it, `aria-invalid`).
struct FormField: Encodable, Sendable {
    struct Option: Encodable, Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    enum Kind: String, Sendable { case text, email, date, textarea, select, checkbox, file }

    let name: String
    let label: String
    var hint: String?
    var value: String = ""
    var error: String?
    let kind: String
    var options: [Option] = []
    var required = false
    var maxLength: Int?
    var autocomplete: String?
    var accept: String?
    var multiple = false

    init(_ name: String, _ label: String, kind: Kind, form: FormState, hint: String? = nil, required: Bool = false, maxLength: Int? = nil,
         autocomplete: String? = nil) {
        self.name = name
        self.label = label
        self.kind = kind.rawValue
        self.hint = hint
        self.value = form.values[name] ?? ""
        self.error = form.errors[name]
        self.required = required
        self.maxLength = maxLength
        self.autocomplete = autocomplete
    }

    /// A select whose options are (value, label) pairs; the typed value, else `preset`, is selected.
    static func select(_ name: String, _ label: String, form: FormState, options: [(String, String)], preset: String? = nil, hint: String? = nil) -> FormField {
        var field = FormField(name, label, kind: .select, form: form, hint: hint)
        let chosen = form.values[name] ?? preset ?? ""
        field.options = options.map { Option(value: $0.0, label: $0.1, selected: $0.0 == chosen) }
        return field
    }

    var isText: Bool { kind == Kind.text.rawValue || kind == Kind.email.rawValue || kind == Kind.date.rawValue }
    var isTextarea: Bool { kind == Kind.textarea.rawValue }
    var isSelect: Bool { kind == Kind.select.rawValue }
    var isCheckbox: Bool { kind == Kind.checkbox.rawValue }
    var isFile: Bool { kind == Kind.file.rawValue }
    var checked: Bool { !value.isEmpty }
    /// The hint and the error, for `aria-describedby`.
    var describedBy: String? {
        let ids = [hint.map { _ in "f-\(name)-hint" }, error.map { _ in "f-\(name)-error" }].compactMap { $0 }
        return ids.isEmpty ? nil : ids.joined(separator: " ")
    }

    enum CodingKeys: String, CodingKey {
        case name, label, hint, value, error, kind, options, required, maxLength, autocomplete, accept, multiple
        case isText, isTextarea, isSelect, isCheckbox, isFile, checked, describedBy
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(label, forKey: .label)
        try container.encode(hint, forKey: .hint)
        try container.encode(value, forKey: .value)
        try container.encode(error, forKey: .error)
        try container.encode(kind, forKey: .kind)
        try container.encode(options, forKey: .options)
        try container.encode(required, forKey: .required)
        try container.encode(maxLength, forKey: .maxLength)
        try container.encode(autocomplete, forKey: .autocomplete)
        try container.encode(accept, forKey: .accept)
        try container.encode(multiple, forKey: .multiple)
        try container.encode(isText, forKey: .isText)
        try container.encode(isTextarea, forKey: .isTextarea)
        try container.encode(isSelect, forKey: .isSelect)
        try container.encode(isCheckbox, forKey: .isCheckbox)
        try container.encode(isFile, forKey: .isFile)
        try container.encode(checked, forKey: .checked)
        try container.encode(describedBy, forKey: .describedBy)
    }
}
