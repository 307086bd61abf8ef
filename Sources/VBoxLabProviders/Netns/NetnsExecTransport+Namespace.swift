import VBoxLabHost

/// A netns VM is its namespace.
extension NetnsExecTransport: HostNamespaceGuest {
    public var networkNamespace: String { "\(HostNamespaces.directory)/\(namespace)" }
}
