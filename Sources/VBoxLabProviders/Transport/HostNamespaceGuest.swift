/// A guest that is a network namespace of this host: vboxlab can work from inside it
/// itself, with sockets made in the namespace, instead of starting a program there for
/// each thing it does (the check's pings).
public protocol HostNamespaceGuest {
    /// The namespace's file, `/run/netns/NAME`.
    var networkNamespace: String { get }
}
