import VBoxLabModel

/// How the library reports progress: a line at a time, rendered by the executable on
/// stderr. The library itself never prints.
public typealias ProgressHandler = @Sendable (String) -> Void
