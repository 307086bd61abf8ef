/// The lab as a graph: internal networks and guest bridges are nodes, each bridge
/// port is an edge between its bridge and its network, and every endpoint hangs on
/// one node. For every port it knows which endpoints lie behind it: those reached
/// through the port's bridge, away from the port's own network.
public struct Topology: Sendable {
    public let spec: LabSpec
    /// Internal networks in order of first appearance.
    public let networks: [String]
    public let endpoints: [EndpointRef]
    /// What each bridge port must receive frames for, keyed by the port's NIC.
    public let behind: [NICRef: EndpointSummary]
    /// Bridge of each port NIC.
    public let portBridge: [NICRef: BridgeRef]
    public let hasLoops: Bool

    public init(_ spec: LabSpec) {
        self.spec = spec
        var networkIndex: [String: Int] = [:]
        var networks: [String] = []
        for vm in spec.vms {
            for nic in vm.nics where networkIndex[nic.network] == nil {
                networkIndex[nic.network] = networks.count
                networks.append(nic.network)
            }
        }
        var graph = Graph(nodeCount: networks.count)
        var endpoints: [EndpointRef] = []
        var portBridge: [NICRef: BridgeRef] = [:]
        var portEdges: [(nic: NICRef, bridgeNode: Int, networkNode: Int)] = []
        for vm in spec.vms {
            var bridgeNode: [String: Int] = [:]
            for bridge in vm.bridges {
                let ref = BridgeRef(vm: vm.name, name: bridge.name)
                let node = graph.addNode()
                bridgeNode[bridge.name] = node
                if bridge.ip != nil {
                    endpoints.append(.bridge(ref))
                    graph.own[node] = graph.own[node] + EndpointSummary(.bridge(ref))
                }
            }
            for nic in vm.nics {
                let ref = NICRef(vm: vm.name, slot: nic.slot)
                let net = networkIndex[nic.network]!
                if let bridge = vm.bridge(forPort: nic.network) {
                    let b = bridgeNode[bridge.name]!
                    portBridge[ref] = BridgeRef(vm: vm.name, name: bridge.name)
                    graph.addEdge(b, net)
                    portEdges.append((ref, b, net))
                } else if nic.ip != nil {
                    endpoints.append(.nic(ref))
                    graph.own[net] = graph.own[net] + EndpointSummary(.nic(ref))
                }
            }
        }
        self.networks = networks
        self.endpoints = endpoints.sorted()
        self.portBridge = portBridge
        self.hasLoops = graph.hasCycle
        var behind: [NICRef: EndpointSummary] = [:]
        if hasLoops {
            for e in portEdges {
                behind[e.nic] = graph.reachableSummary(from: e.bridgeNode, avoiding: (e.bridgeNode, e.networkNode))
            }
        } else {
            let sides = graph.sideSummaries()
            for e in portEdges { behind[e.nic] = sides.side(of: e.bridgeNode, awayFrom: e.networkNode) }
        }
        self.behind = behind
    }
}

/// An undirected multigraph with endpoint summaries on its nodes.
struct Graph {
    var own: [EndpointSummary]
    var adjacent: [[Int]]
    private(set) var edgeCount = 0

    init(nodeCount: Int) {
        own = Array(repeating: EndpointSummary(), count: nodeCount)
        adjacent = Array(repeating: [], count: nodeCount)
    }

    mutating func addNode() -> Int {
        own.append(EndpointSummary())
        adjacent.append([])
        return own.count - 1
    }
    mutating func addEdge(_ a: Int, _ b: Int) {
        adjacent[a].append(b)
        adjacent[b].append(a)
        edgeCount += 1
    }

    /// A forest has exactly nodes − components edges; more means a cycle.
    var hasCycle: Bool {
        var seen = Array(repeating: false, count: own.count)
        var components = 0
        for start in own.indices where !seen[start] {
            components += 1
            var stack = [start]
            seen[start] = true
            while let x = stack.popLast() {
                for y in adjacent[x] where !seen[y] {
                    seen[y] = true
                    stack.append(y)
                }
            }
        }
        return edgeCount > own.count - components
    }

    /// Everything reachable from `start` without crossing the edge `avoiding` (once).
    /// Quadratic over all ports, so used only for labs with STP loops, which are small.
    func reachableSummary(from start: Int, avoiding edge: (Int, Int)) -> EndpointSummary {
        var seen = Set([start])
        var stack = [start]
        var total = EndpointSummary()
        var skipped = false
        while let x = stack.popLast() {
            total = total + own[x]
            for y in adjacent[x] {
                if !skipped && ((x, y) == edge || (y, x) == edge) {
                    skipped = true
                    continue
                }
                if seen.insert(y).inserted { stack.append(y) }
            }
        }
        return total
    }

    /// For a forest, the summary of both sides of every edge in linear time ("rerooting"):
    /// `down[v]` is v's subtree, `up[v]` everything on the parent's side of v's parent edge.
    func sideSummaries() -> SideSummaries {
        let n = own.count
        var parent = Array(repeating: -1, count: n)
        var order: [Int] = []
        var seen = Array(repeating: false, count: n)
        for root in 0..<n where !seen[root] {
            seen[root] = true
            order.append(root)
            var head = order.count - 1
            while head < order.count {
                let x = order[head]
                head += 1
                for y in adjacent[x] where !seen[y] {
                    seen[y] = true
                    parent[y] = x
                    order.append(y)
                }
            }
        }
        var down = own
        for v in order.reversed() where parent[v] >= 0 { down[parent[v]] = down[parent[v]] + down[v] }
        var up = Array(repeating: EndpointSummary(), count: n)
        for p in order {
            let children = adjacent[p].filter { parent[$0] == p }
            guard !children.isEmpty else { continue }
            let base = parent[p] >= 0 ? own[p] + up[p] : own[p]
            var suffix = Array(repeating: EndpointSummary(), count: children.count + 1)
            for i in stride(from: children.count - 1, through: 0, by: -1) {
                suffix[i] = down[children[i]] + suffix[i + 1]
            }
            var prefix = base
            for (i, c) in children.enumerated() {
                up[c] = prefix + suffix[i + 1]
                prefix = prefix + down[c]
            }
        }
        return SideSummaries(parent: parent, down: down, up: up)
    }
}

struct SideSummaries {
    let parent: [Int], down: [EndpointSummary], up: [EndpointSummary]
    /// The endpoints on `node`'s side of the edge between `node` and its neighbour `other`.
    func side(of node: Int, awayFrom other: Int) -> EndpointSummary {
        parent[node] == other ? down[node] : up[other]
    }
}
