import Foundation
import Mustache
import Testing
@testable import TrustmarkServer

/// The texts written into each language's templates must print exactly as the engine would have
/// printed them when looking them up.
@Suite("Texts written into the templates")
struct TemplateTextsTests {
    let table = ["title": "Fish & <Chips>", "raw": "<em>now</em>", "braces": "{{page.secret}}"]

    func rendered(_ source: String, _ page: [String: Any] = [:]) throws -> (inlined: String, looked: String) {
        let escape = HTMLPageContentType().escapeText
        let root = TemplateValues.TemplateObject(["page": TemplateValues.TemplateObject(page), "t": TemplateValues.Texts(table)])
        let inlined = try MustacheTemplate(string: TemplateTexts.inline(source, table, escape: escape)).render(root)
        let looked = try MustacheTemplate(string: source).render(root)
        return (inlined, looked)
    }

    @Test func aTextPrintsAsItsLookUpDid() throws {
        let source = "<h1>{{t.title}}</h1><p>{{{t.raw}}} {{&t.raw}} {{ t.title }}</p>{{#page.on}}<b>{{t.title}}</b>{{/page.on}}{{t.missing}}|{{t.braces}}"
        let (inlined, looked) = try rendered(source, ["on": true, "secret": "kept"])
        #expect(inlined == looked)
        #expect(inlined == "<h1>Fish &amp; &lt;Chips&gt;</h1><p><em>now</em> <em>now</em> Fish &amp; &lt;Chips&gt;</p><b>Fish &amp; &lt;Chips&gt;</b>|{{page.secret}}",
                "a missing key prints nothing, and a text with braces is printed, never read as a tag")
    }

    @Test func onlyPlainTextTagsAreWrittenIn() {
        let escape = HTMLPageContentType().escapeText
        #expect(TemplateTexts.inline("{{#t.title}}x{{/t.title}}{{^t.title}}y{{/t.title}}", table, escape: escape) == "{{#t.title}}x{{/t.title}}{{^t.title}}y{{/t.title}}")
        #expect(TemplateTexts.inline("{{page.title}} {{{page.raw}}} {{! t.title }}", table, escape: escape) == "{{page.title}} {{{page.raw}}} {{! t.title }}")
        #expect(TemplateTexts.inline("{{=<% %>=}}<% t.title %>{{t.title}}", table, escape: escape) == "{{=<% %>=}}<% t.title %>{{t.title}}",
                "a template with its own delimiters is left alone")
    }
}
