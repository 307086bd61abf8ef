import Foundation
import Testing

@testable import VBoxLabModel

@Suite struct MACAddressTests {
    @Test(arguments: [
        "080027AABBCC", "080027aabbcc", "08:00:27:aa:bb:cc", "08:00:27:AA:BB:CC", "08-00-27-AA-BB-CC",
        "08-00-27-aa-bb-cc", "08:00:27:Aa:bB:cC",
    ])
    func acceptedForms(_ text: String) throws {
        let mac = try #require(MACAddress(text))
        #expect(mac.value == 0x0800_27AA_BBCC)
        #expect(mac.description == "08:00:27:aa:bb:cc")
        #expect(mac.bareUpperHex == "080027AABBCC")
        #expect(mac.octets == [0x08, 0x00, 0x27, 0xAA, 0xBB, 0xCC])
    }

    @Test(arguments: [
        "", "080027AABBC", "080027AABBCCD", "08:00:27:aa:bb", "08:00:27:aa:bb:c", "08:00:27:aa:bb:cg",
        "08:00-27:aa:bb:cc", "08.00.27.aa.bb.cc", "0800.27aa.bbcc", " 080027AABBCC", "080027AABBCC ",
        "08:00:27:aa:bb:cc:", "+80027AABBCC", "0x0027AABBCC", "08:0:27:aa:bb:ccc", "8:00:27:aa:bb:cc",
        "０８００２７ＡＡＢＢＣＣ", "08 00 27 aa bb cc", "08::00:27:aa:bb:c",
    ])
    func rejectedForms(_ text: String) {
        #expect(MACAddress(text) == nil)
    }

    @Test func outputIsLowerCaseWithLeadingZeros() {
        #expect(MACAddress(0x01).description == "00:00:00:00:00:01")
        #expect(MACAddress(0x01).bareUpperHex == "000000000001")
        #expect(MACAddress(0xFEDC_BA98_7654).description == "fe:dc:ba:98:76:54")
        #expect(MACAddress(0xFEDC_BA98_7654).bareUpperHex == "FEDCBA987654")
        #expect(MACAddress.broadcast.description == "ff:ff:ff:ff:ff:ff")
    }

    @Test func valueIsMaskedTo48Bits() {
        #expect(MACAddress(0xAB_0800_27AA_BBCC).value == 0x0800_27AA_BBCC)
        #expect(MACAddress(UInt64.max) == .broadcast)
    }

    @Test func octetsRoundTrip() {
        let mac = MACAddress(octets: [0x02, 0x5e, 0x00, 0x00, 0x00, 0x01])
        #expect(mac.value == 0x025E_0000_0001 && mac.description == "02:5e:00:00:00:01")
        #expect(MACAddress(octets: mac.octets) == mac)
    }

    @Test func groupAndLocalBits() throws {
        func bits(_ text: String) throws -> (multicast: Bool, local: Bool) {
            let mac = try #require(MACAddress(text))
            return (mac.isMulticast, mac.isLocallyAdministered)
        }
        #expect(try bits("08:00:27:00:00:01") == (false, false))
        #expect(try bits("01:00:5e:00:00:01") == (true, false))
        #expect(try bits("02:00:00:00:00:01") == (false, true))
        #expect(try bits("03:00:00:00:00:01") == (true, true))
        #expect(try bits("33:33:00:00:00:01") == (true, true))
        #expect(try bits("fe:00:00:00:00:00") == (false, true))
        #expect(try bits("00:01:00:00:00:00") == (false, false))  // bit 0 of the second octet is not the group bit
        #expect(
            MACAddress.broadcast.isMulticast && MACAddress.broadcast.isBroadcast
                && MACAddress.broadcast.isLocallyAdministered)
        #expect(!MACAddress(0x0800_27AA_BBCC).isBroadcast)
        #expect(MACAddress(0).isZero && !MACAddress(1).isZero)
    }

    @Test func ordering() throws {
        let macs = ["08:00:27:00:00:02", "02:00:00:00:00:01", "08:00:27:00:00:01"].compactMap(MACAddress.init)
        #expect(macs.sorted().map(\.description) == ["02:00:00:00:00:01", "08:00:27:00:00:01", "08:00:27:00:00:02"])
    }

    @Test func codableUsesTheColonForm() throws {
        let data = try JSONEncoder().encode([MACAddress(0x0800_27AA_BBCC)])
        #expect(String(decoding: data, as: UTF8.self) == #"["08:00:27:aa:bb:cc"]"#)
        let back = try JSONDecoder().decode(
            [MACAddress].self, from: Data(#"["080027AABBCC", "02-00-00-00-00-01"]"#.utf8))
        #expect(back.map(\.value) == [0x0800_27AA_BBCC, 0x0200_0000_0001])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([MACAddress].self, from: Data(#"["nope"]"#.utf8))
        }
    }
}

@Suite struct IPv4CIDRTests {
    @Test func parsesAddressAndPrefix() throws {
        let c = try #require(IPv4CIDR("1.1.1.10/24"))
        #expect(c.address == 0x0101_010A && c.prefix == 24)
        #expect(c.ip == "1.1.1.10" && c.description == "1.1.1.10/24")
        #expect(IPv4CIDR.format(c.network) == "1.1.1.0" && IPv4CIDR.format(c.broadcastAddress) == "1.1.1.255")
        #expect(c.mask == 0xFFFF_FF00)
    }

    @Test(arguments: [
        "0.0.0.0/0", "255.255.255.255/32", "10.0.0.1/8", "192.168.100.200/30", "1.2.3.4/31", "100.64.0.0/10",
    ])
    func roundTrips(_ text: String) throws {
        #expect(try #require(IPv4CIDR(text)).description == text)
    }

    @Test(arguments: [
        "", "1.1.1.10", "1.1.1.10/", "/24", "1.1.1.10/33", "1.1.1.10/-1", "1.1.1.10/+4", "1.1.1/24",
        "1.1.1.1.1/24", "01.1.1.1/24", "1.1.1.01/24", "1.1.1.1/024", "1.1.1.1/08", "1.1.1.256/24",
        "1.1.1.300/24", "1.1.1.-1/24", "1.1.1.1/24/1", " 1.1.1.1/24", "1.1.1.1/24 ", "1.1.1.1 /24",
        "a.b.c.d/24", "１.1.1.1/24", "1.1.1.0x1/24", "1..1.1/24", "1.1.1.1000/24", "1.1.1.1/1000",
    ])
    func rejects(_ text: String) {
        #expect(IPv4CIDR(text) == nil)
    }

    @Test func parseAddress() {
        #expect(IPv4CIDR.parseAddress("10.20.30.40") == 0x0A14_1E28)
        #expect(IPv4CIDR.parseAddress("0.0.0.0") == 0)
        #expect(IPv4CIDR.parseAddress("255.255.255.255") == UInt32.max)
        #expect(IPv4CIDR.parseAddress("1.2.3") == nil)
        #expect(IPv4CIDR.parseAddress("1.2.3.4/8") == nil)
    }

    @Test func masksAtTheEdges() throws {
        #expect(try #require(IPv4CIDR("10.1.2.3/0")).mask == 0)
        #expect(try #require(IPv4CIDR("10.1.2.3/0")).network == 0)
        #expect(try #require(IPv4CIDR("10.1.2.3/32")).mask == UInt32.max)
        let a = try #require(IPv4CIDR("10.1.2.3/8"))
        #expect(IPv4CIDR.format(a.network) == "10.0.0.0" && IPv4CIDR.format(a.broadcastAddress) == "10.255.255.255")
        let b = try #require(IPv4CIDR("172.16.5.77/20"))
        #expect(IPv4CIDR.format(b.network) == "172.16.0.0" && IPv4CIDR.format(b.broadcastAddress) == "172.16.15.255")
    }

    @Test func networkAndBroadcastAreNotHostAddresses() throws {
        func reserved(_ s: String) throws -> Bool { try #require(IPv4CIDR(s)).isNetworkOrBroadcast }
        #expect(
            try reserved("1.1.1.0/24") && reserved("1.1.1.255/24") && reserved("1.1.1.4/30") && reserved("1.1.1.7/30"))
        #expect(try !reserved("1.1.1.1/24") && !reserved("1.1.1.5/30") && !reserved("1.1.1.6/30"))
        // /31 (RFC 3021) and /32 have no network or broadcast address.
        #expect(
            try !reserved("1.1.1.0/31") && !reserved("1.1.1.1/31") && !reserved("1.1.1.0/32")
                && !reserved("1.1.1.255/32"))
    }

    @Test func sharesSubnetNeedsEqualPrefixes() throws {
        let a = try #require(IPv4CIDR("10.0.0.1/24"))
        let b = try #require(IPv4CIDR("10.0.0.200/24"))
        let c = try #require(IPv4CIDR("10.0.1.1/24"))
        let d = try #require(IPv4CIDR("10.0.0.2/16"))
        #expect(a.sharesSubnet(with: b) && b.sharesSubnet(with: a))
        #expect(!a.sharesSubnet(with: c))
        #expect(!a.sharesSubnet(with: d) && !d.sharesSubnet(with: a))
    }

    @Test func format() {
        #expect(IPv4CIDR.format(0x0101_010A) == "1.1.1.10")
        #expect(IPv4CIDR(address: 0xC0A8_0001, prefix: 16).description == "192.168.0.1/16")
    }
}
