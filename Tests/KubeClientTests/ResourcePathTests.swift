import KubeClient
import KubeModel
import Testing

@Suite("ResourcePath")
struct ResourcePathTests {
    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")
    static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
    static let crds = GroupVersionResource(
        group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions", namespaced: false)

    @Test func paths() {
        #expect(ResourcePath.path(Self.pods, namespace: "ns") == "/api/v1/namespaces/ns/pods")
        #expect(ResourcePath.path(Self.pods, namespace: nil) == "/api/v1/pods")
        #expect(ResourcePath.path(Self.pods, namespace: "ns", name: "p") == "/api/v1/namespaces/ns/pods/p")
        #expect(
            ResourcePath.path(Self.deployments, namespace: "ns", name: "d", subresource: "status")
                == "/apis/apps/v1/namespaces/ns/deployments/d/status")
        #expect(
            ResourcePath.path(Self.crds, namespace: "ignored", name: "x.y")
                == "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/x.y")
    }

    @Test func listQueryEncodesSelectors() {
        let options = ListOptions(
            labelSelector: "app in (a,b),!legacy", fieldSelector: "metadata.name=x", limit: 10, continue: "tok/en=",
            resourceVersion: "42")
        #expect(
            ResourcePath.encode(ResourcePath.query(options, watch: false))
                == "?labelSelector=app%20in%20%28a%2Cb%29%2C%21legacy&fieldSelector=metadata.name%3Dx&limit=10&continue=tok%2Fen%3D&resourceVersion=42")
    }

    @Test func watchQuery() {
        let options = ListOptions(limit: 5, resourceVersion: "7", timeoutSeconds: 300, allowWatchBookmarks: true)
        #expect(
            ResourcePath.encode(ResourcePath.query(options, watch: true))
                == "?watch=1&resourceVersion=7&allowWatchBookmarks=true&timeoutSeconds=300")
        #expect(ResourcePath.encode(ResourcePath.query(ListOptions(), watch: false)) == "")
    }
}
