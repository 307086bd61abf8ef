#!/bin/sh
# vboxlab guest setup for h1 of lab hub4-lab (generated; running it twice changes nothing)
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
nic2=$(has_mac 08:00:27:3f:2a:4d) || { echo "h1: no interface with MAC 08:00:27:3f:2a:4d (slot 2, hub4-1)" >&2; exit 3; }
m=$(master_of $nic2); [ -z "$m" ] || [ "$m" = '' ] || change "link set dev $nic2 nomaster" "removed $nic2 from $m"
for d in $net/*; do [ -d "$d/bridge" ] && [ -r "$d/ifalias" ] || continue; read -r al < "$d/ifalias" || al=''; [ "$al" = vboxlab:hub4-lab ] || continue; case "${d##*/}" in '') ;; *) change "link del ${d##*/}" "removed bridge ${d##*/}";; esac; done
read -r a < "$net/$nic2/address"; [ "$a" = 08:00:27:3f:2a:4d ] || change "link set dev $nic2 address 08:00:27:3f:2a:4d" "set $nic2 MAC 08:00:27:3f:2a:4d (was $a)"
is_up $nic2 || change "link set dev $nic2 up" "brought $nic2 up"
strip $nic2 10.4.0.1/24
case "$addrs" in *" 10.4.0.1/24@$nic2 "*) ;; *) change "addr replace 10.4.0.1/24 dev $nic2" "added 10.4.0.1/24 to $nic2";; esac
[ $nm = 0 ] || for d in $nic2; do nmcli device set "$d" managed no 2>/dev/null; done
if [ $changes -eq 0 ]; then echo 'h1: already set up; nothing changed'; exit 0; fi
batch="${batch}neigh flush all
"
printf '%s' "$batch" | ip -batch - || { echo 'h1: ip -batch failed' >&2; exit 3; }
echo "h1: $changes changes"

#!/bin/sh
# vboxlab guest setup for h2 of lab hub4-lab (generated; running it twice changes nothing)
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
nic2=$(has_mac 08:00:27:09:b9:40) || { echo "h2: no interface with MAC 08:00:27:09:b9:40 (slot 2, hub4-2)" >&2; exit 3; }
m=$(master_of $nic2); [ -z "$m" ] || [ "$m" = '' ] || change "link set dev $nic2 nomaster" "removed $nic2 from $m"
for d in $net/*; do [ -d "$d/bridge" ] && [ -r "$d/ifalias" ] || continue; read -r al < "$d/ifalias" || al=''; [ "$al" = vboxlab:hub4-lab ] || continue; case "${d##*/}" in '') ;; *) change "link del ${d##*/}" "removed bridge ${d##*/}";; esac; done
read -r a < "$net/$nic2/address"; [ "$a" = 08:00:27:09:b9:40 ] || change "link set dev $nic2 address 08:00:27:09:b9:40" "set $nic2 MAC 08:00:27:09:b9:40 (was $a)"
is_up $nic2 || change "link set dev $nic2 up" "brought $nic2 up"
strip $nic2 10.4.0.2/24
case "$addrs" in *" 10.4.0.2/24@$nic2 "*) ;; *) change "addr replace 10.4.0.2/24 dev $nic2" "added 10.4.0.2/24 to $nic2";; esac
[ $nm = 0 ] || for d in $nic2; do nmcli device set "$d" managed no 2>/dev/null; done
if [ $changes -eq 0 ]; then echo 'h2: already set up; nothing changed'; exit 0; fi
batch="${batch}neigh flush all
"
printf '%s' "$batch" | ip -batch - || { echo 'h2: ip -batch failed' >&2; exit 3; }
echo "h2: $changes changes"

#!/bin/sh
# vboxlab guest setup for h3 of lab hub4-lab (generated; running it twice changes nothing)
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
nic2=$(has_mac 08:00:27:33:0d:8b) || { echo "h3: no interface with MAC 08:00:27:33:0d:8b (slot 2, hub4-3)" >&2; exit 3; }
m=$(master_of $nic2); [ -z "$m" ] || [ "$m" = '' ] || change "link set dev $nic2 nomaster" "removed $nic2 from $m"
for d in $net/*; do [ -d "$d/bridge" ] && [ -r "$d/ifalias" ] || continue; read -r al < "$d/ifalias" || al=''; [ "$al" = vboxlab:hub4-lab ] || continue; case "${d##*/}" in '') ;; *) change "link del ${d##*/}" "removed bridge ${d##*/}";; esac; done
read -r a < "$net/$nic2/address"; [ "$a" = 08:00:27:33:0d:8b ] || change "link set dev $nic2 address 08:00:27:33:0d:8b" "set $nic2 MAC 08:00:27:33:0d:8b (was $a)"
is_up $nic2 || change "link set dev $nic2 up" "brought $nic2 up"
strip $nic2 10.4.0.3/24
case "$addrs" in *" 10.4.0.3/24@$nic2 "*) ;; *) change "addr replace 10.4.0.3/24 dev $nic2" "added 10.4.0.3/24 to $nic2";; esac
[ $nm = 0 ] || for d in $nic2; do nmcli device set "$d" managed no 2>/dev/null; done
if [ $changes -eq 0 ]; then echo 'h3: already set up; nothing changed'; exit 0; fi
batch="${batch}neigh flush all
"
printf '%s' "$batch" | ip -batch - || { echo 'h3: ip -batch failed' >&2; exit 3; }
echo "h3: $changes changes"

#!/bin/sh
# vboxlab guest setup for h4 of lab hub4-lab (generated; running it twice changes nothing)
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
nic2=$(has_mac 08:00:27:70:18:16) || { echo "h4: no interface with MAC 08:00:27:70:18:16 (slot 2, hub4-4)" >&2; exit 3; }
m=$(master_of $nic2); [ -z "$m" ] || [ "$m" = '' ] || change "link set dev $nic2 nomaster" "removed $nic2 from $m"
for d in $net/*; do [ -d "$d/bridge" ] && [ -r "$d/ifalias" ] || continue; read -r al < "$d/ifalias" || al=''; [ "$al" = vboxlab:hub4-lab ] || continue; case "${d##*/}" in '') ;; *) change "link del ${d##*/}" "removed bridge ${d##*/}";; esac; done
read -r a < "$net/$nic2/address"; [ "$a" = 08:00:27:70:18:16 ] || change "link set dev $nic2 address 08:00:27:70:18:16" "set $nic2 MAC 08:00:27:70:18:16 (was $a)"
is_up $nic2 || change "link set dev $nic2 up" "brought $nic2 up"
strip $nic2 10.4.0.4/24
case "$addrs" in *" 10.4.0.4/24@$nic2 "*) ;; *) change "addr replace 10.4.0.4/24 dev $nic2" "added 10.4.0.4/24 to $nic2";; esac
[ $nm = 0 ] || for d in $nic2; do nmcli device set "$d" managed no 2>/dev/null; done
if [ $changes -eq 0 ]; then echo 'h4: already set up; nothing changed'; exit 0; fi
batch="${batch}neigh flush all
"
printf '%s' "$batch" | ip -batch - || { echo 'h4: ip -batch failed' >&2; exit 3; }
echo "h4: $changes changes"

#!/bin/sh
# vboxlab guest setup for hub of lab hub4-lab (generated; running it twice changes nothing)
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
nic2=$(has_mac 08:00:27:b2:fa:e7) || { echo "hub: no interface with MAC 08:00:27:b2:fa:e7 (slot 2, hub4-1)" >&2; exit 3; }
nic3=$(has_mac 08:00:27:b2:f9:34) || { echo "hub: no interface with MAC 08:00:27:b2:f9:34 (slot 3, hub4-2)" >&2; exit 3; }
nic4=$(has_mac 08:00:27:b2:f7:81) || { echo "hub: no interface with MAC 08:00:27:b2:f7:81 (slot 4, hub4-3)" >&2; exit 3; }
nic5=$(has_mac 08:00:27:b2:f5:ce) || { echo "hub: no interface with MAC 08:00:27:b2:f5:ce (slot 5, hub4-4)" >&2; exit 3; }
m=$(master_of $nic2); [ -z "$m" ] || [ "$m" = br0 ] || change "link set dev $nic2 nomaster" "removed $nic2 from $m"
m=$(master_of $nic3); [ -z "$m" ] || [ "$m" = br0 ] || change "link set dev $nic3 nomaster" "removed $nic3 from $m"
m=$(master_of $nic4); [ -z "$m" ] || [ "$m" = br0 ] || change "link set dev $nic4 nomaster" "removed $nic4 from $m"
m=$(master_of $nic5); [ -z "$m" ] || [ "$m" = br0 ] || change "link set dev $nic5 nomaster" "removed $nic5 from $m"
for d in $net/*; do [ -d "$d/bridge" ] && [ -r "$d/ifalias" ] || continue; read -r al < "$d/ifalias" || al=''; [ "$al" = vboxlab:hub4-lab ] || continue; case "${d##*/}" in br0) ;; *) change "link del ${d##*/}" "removed bridge ${d##*/}";; esac; done
if [ ! -d "$net/br0/bridge" ]; then change 'link add br0 type bridge stp_state 0
link set dev br0 alias vboxlab:hub4-lab' 'created bridge br0'; fresh=1; else fresh=0; fi
[ $fresh = 1 ] || { read -r st < "$net/br0/bridge/stp_state"; [ "$st" = 0 ] || change 'link set dev br0 type bridge stp_state 0' 'set stp off on br0'; }
[ "$(master_of $nic2)" = br0 ] || change "link set dev $nic2 master br0" "added $nic2 to br0"
[ "$(master_of $nic3)" = br0 ] || change "link set dev $nic3 master br0" "added $nic3 to br0"
[ "$(master_of $nic4)" = br0 ] || change "link set dev $nic4 master br0" "added $nic4 to br0"
[ "$(master_of $nic5)" = br0 ] || change "link set dev $nic5 master br0" "added $nic5 to br0"
read -r a < "$net/$nic2/address"; [ "$a" = 08:00:27:b2:fa:e7 ] || change "link set dev $nic2 address 08:00:27:b2:fa:e7" "set $nic2 MAC 08:00:27:b2:fa:e7 (was $a)"
is_up $nic2 || change "link set dev $nic2 up" "brought $nic2 up"
strip $nic2 -
read -r a < "$net/$nic3/address"; [ "$a" = 08:00:27:b2:f9:34 ] || change "link set dev $nic3 address 08:00:27:b2:f9:34" "set $nic3 MAC 08:00:27:b2:f9:34 (was $a)"
is_up $nic3 || change "link set dev $nic3 up" "brought $nic3 up"
strip $nic3 -
read -r a < "$net/$nic4/address"; [ "$a" = 08:00:27:b2:f7:81 ] || change "link set dev $nic4 address 08:00:27:b2:f7:81" "set $nic4 MAC 08:00:27:b2:f7:81 (was $a)"
is_up $nic4 || change "link set dev $nic4 up" "brought $nic4 up"
strip $nic4 -
read -r a < "$net/$nic5/address"; [ "$a" = 08:00:27:b2:f5:ce ] || change "link set dev $nic5 address 08:00:27:b2:f5:ce" "set $nic5 MAC 08:00:27:b2:f5:ce (was $a)"
is_up $nic5 || change "link set dev $nic5 up" "brought $nic5 up"
strip $nic5 -
{ [ -d "$net/br0" ] && is_up br0; } || change 'link set dev br0 up' 'brought br0 up'
strip br0 -
[ $nm = 0 ] || for d in $nic2 $nic3 $nic4 $nic5; do nmcli device set "$d" managed no 2>/dev/null; done
if [ $changes -eq 0 ]; then echo 'hub: already set up; nothing changed'; exit 0; fi
batch="${batch}neigh flush all
"
printf '%s' "$batch" | ip -batch - || { echo 'hub: ip -batch failed' >&2; exit 3; }
[ $nm = 0 ] || for d in br0; do nmcli device set "$d" managed no 2>/dev/null; done
echo "hub: $changes changes"
