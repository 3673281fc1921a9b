import Testing

/// Parent of every suite that runs `athena-operator` processes: one at a time, so they do not
/// starve each other (or the rest of `swift test`) on a small machine; timing checks such as the
/// leader-election failover stay meaningful.
@Suite("athena-operator processes", .serialized)
enum OperatorProcessSuites {}
