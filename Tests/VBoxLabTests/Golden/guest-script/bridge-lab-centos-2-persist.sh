#!/bin/sh
# vboxlab guest setup for centos-2 of lab bridge-lab (generated; running it twice changes nothing)
set -u
batch=''; changes=0; net=/sys/class/net
change() { printf '%s\n' "$2"; batch="$batch$1
"; changes=$((changes+1)); }
has_mac() { for d in $net/*; do [ -r "$d/address" ] && [ ! -d "$d/bridge" ] || continue; read -r a < "$d/address"; [ "$a" = "$1" ] && { echo "${d##*/}"; return 0; }; done; return 1; }
is_up() { read -r f < "$net/$1/flags"; [ $(( f & 1 )) -eq 1 ]; }
master_of() { [ -e "$net/$1/master" ] && basename "$(readlink "$net/$1/master")"; }
addrs=" $(ip -o -4 addr show 2>/dev/null | while read -r _ dev _ a _; do printf '%s@%s ' "$a" "$dev"; done)"
nm=0; command -v nmcli >/dev/null 2>&1 && [ "$(nmcli -t -f RUNNING general 2>/dev/null)" = running ] && nm=1
strip() { for a in $addrs; do [ "${a##*@}" = "$1" ] && [ "${a%@*}" != "$2" ] && change "addr del ${a%@*} dev $1" "removed ${a%@*} from $1"; done; }
nic2=$(has_mac 02:07:ef:f4:bb:ae || has_mac 08:00:27:69:76:06 || has_mac 08:00:27:da:00:11) || { echo "centos-2: no interface with MAC 08:00:27:69:76:06 (slot 2, intnet-1)" >&2; exit 3; }
nic3=$(has_mac 02:1f:93:d3:5c:0d || has_mac 08:00:27:73:2b:c4 || has_mac 08:00:27:d9:fe:5e) || { echo "centos-2: no interface with MAC 08:00:27:73:2b:c4 (slot 3, intnet-2)" >&2; exit 3; }
m=$(master_of $nic2); [ -z "$m" ] || [ "$m" = br0 ] || change "link set dev $nic2 nomaster" "removed $nic2 from $m"
m=$(master_of $nic3); [ -z "$m" ] || [ "$m" = br0 ] || change "link set dev $nic3 nomaster" "removed $nic3 from $m"
for d in $net/*; do [ -d "$d/bridge" ] && [ -r "$d/ifalias" ] || continue; read -r al < "$d/ifalias" || al=''; [ "$al" = vboxlab:bridge-lab ] || continue; case "${d##*/}" in br0) ;; *) change "link del ${d##*/}" "removed bridge ${d##*/}";; esac; done
if [ ! -d "$net/br0/bridge" ]; then change 'link add br0 type bridge stp_state 0
link set dev br0 alias vboxlab:bridge-lab' 'created bridge br0'; fresh=1; else fresh=0; fi
[ $fresh = 1 ] || { read -r st < "$net/br0/bridge/stp_state"; [ "$st" = 0 ] || change 'link set dev br0 type bridge stp_state 0' 'set stp off on br0'; }
[ "$(master_of $nic2)" = br0 ] || change "link set dev $nic2 master br0" "added $nic2 to br0"
[ "$(master_of $nic3)" = br0 ] || change "link set dev $nic3 master br0" "added $nic3 to br0"
read -r a < "$net/$nic2/address"; [ "$a" = 02:07:ef:f4:bb:ae ] || change "link set dev $nic2 address 02:07:ef:f4:bb:ae" "set $nic2 MAC 02:07:ef:f4:bb:ae (was $a)"
is_up $nic2 || change "link set dev $nic2 up" "brought $nic2 up"
strip $nic2 -
read -r a < "$net/$nic3/address"; [ "$a" = 02:1f:93:d3:5c:0d ] || change "link set dev $nic3 address 02:1f:93:d3:5c:0d" "set $nic3 MAC 02:1f:93:d3:5c:0d (was $a)"
is_up $nic3 || change "link set dev $nic3 up" "brought $nic3 up"
strip $nic3 -
{ [ -d "$net/br0" ] && is_up br0; } || change 'link set dev br0 up' 'brought br0 up'
strip br0 -
root=${VBOXLAB_PERSIST_ROOT:-}; sys=${VBOXLAB_NET_SYSTEM:-}; persisted=0
if [ -z "$sys" ]; then
  if [ $nm = 1 ]; then sys=networkmanager
  elif [ -d /run/systemd/netif ] || systemctl is-active -q systemd-networkd 2>/dev/null; then sys=networkd
  elif [ -f /etc/network/interfaces ]; then sys=ifupdown
  else echo 'centos-2: found no NetworkManager, systemd-networkd or ifupdown to write the setup for' >&2; exit 3; fi
fi
put() { f="$root$1"; if [ -f "$f" ] && [ "$(cat "$f")" = "$2" ]; then return 0; fi; mkdir -p "${f%/*}" && printf '%s\n' "$2" > "$f" && chmod "$3" "$f" || { echo "centos-2: cannot write $f" >&2; exit 3; }; echo "wrote $f"; changes=$((changes+1)); persisted=1; }
case $sys in
networkmanager)
  put "/etc/NetworkManager/system-connections/vboxlab-bridge-lab-br0.nmconnection" "$(cat <<VBLEOF
[connection]
id=vboxlab-bridge-lab-br0
type=bridge
interface-name=br0

[bridge]
stp=false

[ipv4]
method=disabled

[ipv6]
method=disabled
VBLEOF
)" 600
  put "/etc/NetworkManager/system-connections/vboxlab-bridge-lab-$nic2.nmconnection" "$(cat <<VBLEOF
[connection]
id=vboxlab-bridge-lab-$nic2
type=ethernet
interface-name=$nic2
controller=br0
port-type=bridge
master=br0
slave-type=bridge

[ethernet]
cloned-mac-address=02:07:EF:F4:BB:AE
VBLEOF
)" 600
  put "/etc/NetworkManager/system-connections/vboxlab-bridge-lab-$nic3.nmconnection" "$(cat <<VBLEOF
[connection]
id=vboxlab-bridge-lab-$nic3
type=ethernet
interface-name=$nic3
controller=br0
port-type=bridge
master=br0
slave-type=bridge

[ethernet]
cloned-mac-address=02:1F:93:D3:5C:0D
VBLEOF
)" 600
  [ -n "$root" ] || [ $persisted = 0 ] || nmcli connection reload ;;
networkd)
  put "/etc/systemd/network/50-vboxlab-bridge-lab-br0.netdev" "$(cat <<VBLEOF
[NetDev]
Name=br0
Kind=bridge

[Bridge]
STP=no
VBLEOF
)" 644
  put "/etc/systemd/network/50-vboxlab-bridge-lab-br0.network" "$(cat <<VBLEOF
[Match]
Name=br0

[Network]
LinkLocalAddressing=no
VBLEOF
)" 644
  put "/etc/systemd/network/50-vboxlab-bridge-lab-$nic2.network" "$(cat <<VBLEOF
[Match]
Name=$nic2

[Link]
MACAddress=02:07:ef:f4:bb:ae

[Network]
LinkLocalAddressing=no
Bridge=br0
VBLEOF
)" 644
  put "/etc/systemd/network/50-vboxlab-bridge-lab-$nic3.network" "$(cat <<VBLEOF
[Match]
Name=$nic3

[Link]
MACAddress=02:1f:93:d3:5c:0d

[Network]
LinkLocalAddressing=no
Bridge=br0
VBLEOF
)" 644
  [ -n "$root" ] || [ $persisted = 0 ] || networkctl reload 2>/dev/null ;;
ifupdown)
  put "/etc/network/interfaces.d/vboxlab-bridge-lab" "$(cat <<VBLEOF
# written by vboxlab for lab bridge-lab; /etc/network/interfaces must source interfaces.d

auto $nic2
iface $nic2 inet manual
    hwaddress ether 02:07:ef:f4:bb:ae

auto $nic3
iface $nic3 inet manual
    hwaddress ether 02:1f:93:d3:5c:0d

auto br0
iface br0 inet manual
    bridge_ports $nic2 $nic3
    bridge_stp off
VBLEOF
)" 644
  ;;
*) echo "centos-2: unknown network system $sys" >&2; exit 3 ;;
esac
if [ $changes -eq 0 ]; then echo 'centos-2: already set up; nothing changed'; exit 0; fi
batch="${batch}neigh flush all
"
printf '%s' "$batch" | ip -batch - || { echo 'centos-2: ip -batch failed' >&2; exit 3; }
echo "centos-2: $changes changes"
