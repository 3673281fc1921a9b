import Foundation
import KubeModel

/// Builds API server paths and query strings. Pure, so it is tested by table.
public enum ResourcePath {
    /// `/api/v1[/namespaces/ns]/plural[/name[/subresource]]` for the core group,
    /// `/apis/group/version/...` otherwise. A namespace is only used for namespaced resources.
    public static func path(
        _ resource: GroupVersionResource, namespace: String?, name: String? = nil, subresource: String? = nil
    ) -> String {
        var path = resource.group.isEmpty ? "/api/\(resource.version)" : "/apis/\(resource.group)/\(resource.version)"
        if resource.namespaced, let namespace, !namespace.isEmpty {
            path += "/namespaces/\(escape(namespace))"
        }
        path += "/\(resource.resource)"
        if let name {
            path += "/\(escape(name))"
            if let subresource, !subresource.isEmpty { path += "/\(escape(subresource))" }
        }
        return path
    }

    /// The query of a list (`watch == false`) or watch call, keys in a stable order.
    public static func query(_ options: ListOptions, watch: Bool) -> [(String, String)] {
        var items: [(String, String)] = []
        if watch { items.append(("watch", "1")) }
        if let labelSelector = options.labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector = options.fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if !watch, let limit = options.limit, limit > 0 { items.append(("limit", String(limit))) }
        if !watch, let token = options.continue, !token.isEmpty { items.append(("continue", token)) }
        if let resourceVersion = options.resourceVersion, !resourceVersion.isEmpty {
            items.append(("resourceVersion", resourceVersion))
        }
        if watch, options.allowWatchBookmarks { items.append(("allowWatchBookmarks", "true")) }
        if let timeout = options.timeoutSeconds, timeout > 0 { items.append(("timeoutSeconds", String(timeout))) }
        return items
    }

    /// `?k=v&...` with keys and values percent-encoded, or `""` when empty.
    public static func encode(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        return "?" + query.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters, so selectors such as
    /// `app in (a,b),!legacy` survive intact.
    public static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
