import Foundation
import TOMLKit

extension ServerConfiguration {
    /// Builds the configuration from its sources; later ones win: defaults, the TOML file, the
    /// `STAMINA_*` environment, then flags (already as key -> text).
    public static func load(
        file: String?, environment: [String: String], flags: [(key: String, value: String)]
    ) throws(ConfigurationError) -> ServerConfiguration {
        var config = ServerConfiguration()
        if let file {
            for (key, value) in try tomlValues(file: file) { try config.set(key, value) }
        }
        for setting in settings {
            if let value = environment[setting.environmentName] { try config.set(setting.key, value) }
        }
        for (key, value) in flags { try config.set(key, value) }
        // A lease that one late heartbeat can miss would requeue healthy jobs until WORKER_LOST.
        if config.leaseSeconds < 2 * config.heartbeatSeconds {
            throw ConfigurationError(
                description:
                    "lease (\(config.leaseSeconds) s) must be at least twice heartbeat-interval (\(config.heartbeatSeconds) s)"
            )
        }
        return config
    }

    /// Reads a flat TOML file whose keys are the setting names (`workers = 2`, `cors-origins =
    /// ["https://a"]`); nested tables are refused so a typo cannot hide.
    static func tomlValues(file: String) throws(ConfigurationError) -> [(String, String)] {
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw ConfigurationError(description: "\(file): cannot read: \(error.localizedDescription)")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch {
            throw ConfigurationError(description: "\(file): \(error)")
        }
        var result: [(String, String)] = []
        for (key, value) in table {
            guard let rendered = render(value) else {
                throw ConfigurationError(
                    description: "\(file): key '\(key)': expected a string, number, boolean or array")
            }
            result.append((key, rendered))
        }
        return result
    }

    private static func render(_ value: any TOMLValueConvertible) -> String? {
        switch value.type {
        case .bool: return value.bool.map { $0 ? "true" : "false" }
        case .int: return value.int.map { String($0) }
        case .double: return value.double.map { String($0) }
        case .string: return value.string
        case .array: return value.array.map { $0.compactMap { render($0) }.joined(separator: ",") }
        default: return nil
        }
    }
}
