// The Kubernetes custom resources of a scaffolded project (serving.athena.dev/v1alpha1), with the
// field names of DESIGN.md / AthenaAPI: one AIApplication (this version) and one OnlineService.

extension ProjectScaffold {
    /// The AIApplication: one version of the engine, its image, engine protocol and API schema.
    var aiApplicationYAML: String {
        """
        # One version of \(name): the engine image and how the gateway talks to it.
        # Build and push the image (Dockerfile), then set spec.runtime.image.
        apiVersion: serving.athena.dev/v1alpha1
        kind: AIApplication
        metadata:
          name: \(name)-v1
          labels:
            app.kubernetes.io/name: \(name)
        spec:
          version: "1.0.0"
          description: "\(name), scaffolded by athena init (\(style.rawValue) style)"
          runtime:
            image: registry.example.com/\(name):1.0.0
            protocol: grpc
            port: 50051
          apis:
            - protocol: http
              url: /
              method: post
              request:
                Content-type: application/json
                data:
                  type: object
                  properties:
                    text: {type: string}
                    mode: {type: string, enum: [upper, lower]}
                  required: [text]
              response:
                Content-type: application/json
                data:
                  type: object
                  properties:
                    text: {type: string}
                    words: {type: integer}
                    chars: {type: integer}
          health:
            startup:
              grpc: {port: 50051}
              periodSeconds: 2
              failureThreshold: 60
            readiness:
              grpc: {port: 50051}
              periodSeconds: 5
              timeoutSeconds: 2
              failureThreshold: 3
            liveness:
              grpc: {port: 50051}
              periodSeconds: 10
              timeoutSeconds: 2
              failureThreshold: 3
          resources:
            cpu: "1"
            memory: 1Gi
          deployTypes: [online]

        """
    }

    /// The OnlineService: the HTTP API over the version above, with the default limits spelled out.
    var onlineServiceYAML: String {
        """
        # The HTTP API of \(name). Add versions (with weights summing to 100) for a gray release.
        apiVersion: serving.athena.dev/v1alpha1
        kind: OnlineService
        metadata:
          name: \(name)
          labels:
            app.kubernetes.io/name: \(name)
        spec:
          versions:
            - application: \(name)-v1
              weight: 100
              replicas: 1
          auth:
            mode: none
          limits:
            maxBodyBytes: 12582912
            timeoutSeconds: 40
          loadBalancing:
            policy: least-inflight

        """
    }
}
