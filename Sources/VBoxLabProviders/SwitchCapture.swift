import VBoxLabHost
import VBoxLabModel

/// What `check --capture` uses: listen on the switch while one failing pair pings again.
public protocol SwitchCapture: Sendable {
    /// `lost` is the frame the model says is lost, `model` where it loses it; nil when the
    /// capture saw nothing it can speak of.
    func capture(_ pair: PingPair, lost: FrameKind, model: LossPlace?) throws(VBoxLabError) -> CaptureVerdict?
}

/// What a capture saw of the frame the model says is lost, and whether the two agree.
public struct CaptureVerdict: Sendable, Equatable {
    public var frame: FrameKind
    /// The last switch port the frame crossed, in words, or that it never reached one.
    public var lastSeen: String
    /// Where the capture loses it: on a network (it entered the switch and never left)
    /// or in a VM (the switch handed it over, or it never left its sender).
    public var place: LossPlace
    public var model: LossPlace?
    public var agrees: Bool { place == model }
}
