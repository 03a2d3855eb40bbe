import Foundation
import TrustmarkCore

/// The calendar data an operator keeps beside the templates: the Dutch decree days.
public enum CalendarData {
    public static let equalDaysFile = "Resources/Calendars/nl-gelijkgestelde-dagen.yaml"

    /// The decree days from `resources`; a missing or broken file stops start-up, naming it.
    public static func equalDays(resources: String) throws -> [String] {
        let path = (resources as NSString).appendingPathComponent(equalDaysFile)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(setting: "TRUSTMARK_RESOURCES", message: "cannot read \(path)")
        }
        do {
            return try EqualDaysFile.parse(text)
        } catch {
            throw ConfigError(setting: "TRUSTMARK_RESOURCES", message: "\(path): \(error)")
        }
    }

    /// The working-day calendar of `scheme`.
    public static func calendar(for scheme: Scheme, resources: String) throws -> WorkingDayCalendar {
        do {
            return try WorkingDayCalendar(scheme: scheme, equalDays: try equalDays(resources: resources))
        } catch let error as WorkingDayCalendar.Failure {
            throw ConfigError(setting: "TRUSTMARK_SCHEME", message: "calendar: \(error)")
        }
    }

    /// Finds the project folder the way the server does (for commands run outside the server).
    public static func resourcesDirectory() throws -> String {
        try AppConfig.resolveResources(ProcessInfo.processInfo.environment["TRUSTMARK_RESOURCES"], workingDirectory: FileManager.default.currentDirectoryPath)
    }
}
