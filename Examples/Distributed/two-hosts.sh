#!/usr/bin/env bash
# Runs `nabla train` on 4 ranks spread over two "hosts" on this one machine, to show data parallelism
# across machines without a cluster: two network namespaces joined by a veth pair, each with a hostname
# of its own (a UTS namespace), 2 ranks in each, and mpirun between them. Open MPI is held to TCP
# (`--mca btl tcp,self`), since the two "hosts" share /dev/shm; the veth's byte counters then show
# that TCP carried the gradients. mpirun reaches the second host through a launch agent that enters
# its namespaces (what ssh does on a real cluster).
#
#     sudo Examples/Distributed/two-hosts.sh                      # .build/debug/nabla, spirals
#     sudo NABLA=.build/release/nabla Examples/Distributed/two-hosts.sh --data fashion-mnist --epochs 1
#
# Needs root, iproute2 (ip netns), util-linux (unshare) and Open MPI (openmpi-bin, libopenmpi3).
set -euo pipefail
cd "$(dirname "$0")/../.."
nabla=$(realpath "${NABLA:-.build/debug/nabla}")
[ "$(id -u)" = 0 ] || { echo "two-hosts.sh: needs root (network namespaces)" >&2; exit 1; }
[ -x "$nabla" ] || { echo "two-hosts.sh: no $nabla; run swift build first, or set NABLA" >&2; exit 1; }
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--data spirals --model mlp --hidden 256 --batch-size 64 --epochs 3)

a=nabla-host-a b=nabla-host-b
work=$(mktemp -d)
cleanup() { ip netns del $a 2>/dev/null || true; ip netns del $b 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ip netns add $a
ip netns add $b
ip link add veth-a netns $a type veth peer name veth-b netns $b
ip -n $a addr add 10.77.0.1/24 dev veth-a
ip -n $b addr add 10.77.0.2/24 dev veth-b
for ns in $a $b; do ip -n $ns link set lo up; done
ip -n $a link set veth-a up
ip -n $b link set veth-b up

# The launch agent: `agent HOST COMMAND…` runs COMMAND in HOST's namespaces, as `ssh HOST COMMAND…` would.
cat > "$work/agent" <<'AGENT'
#!/bin/sh
host=$1; shift
case "$host" in
    10.77.0.1) ns=nabla-host-a; name=host-a ;;
    10.77.0.2) ns=nabla-host-b; name=host-b ;;
    *) echo "agent: unknown host $host" >&2; exit 1 ;;
esac
exec ip netns exec "$ns" unshare --uts sh -c "hostname $name; $*"
AGENT
chmod +x "$work/agent"
printf '10.77.0.1 slots=2\n10.77.0.2 slots=2\n' > "$work/hosts"

counters() { ip netns exec $a cat /sys/class/net/veth-a/statistics/tx_bytes /sys/class/net/veth-a/statistics/rx_bytes | paste -sd' '; }
mpirun=(mpirun --allow-run-as-root --oversubscribe -np 4 --hostfile "$work/hosts" --mca plm_rsh_agent "$work/agent"
        --mca pml ob1 --mca btl tcp,self --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24)
in_a() { ip netns exec $a unshare --uts sh -c 'hostname host-a; exec "$@"' sh "$@"; }

echo "== the ranks' hosts"
in_a "${mpirun[@]}" hostname | sort | uniq -c
echo "== nabla info on each rank"
in_a "${mpirun[@]}" "$nabla" info | grep '^MPI:' | sort
read -r tx0 rx0 <<< "$(counters)"
echo "== mpirun -np 4 nabla train ${args[*]}"
in_a "${mpirun[@]}" "$nabla" train "${args[@]}" --out "$work/run" --json
read -r tx1 rx1 <<< "$(counters)"
steps=$(grep -o '"step": *[0-9]*\|"globalStep" *: *[0-9]*' "$work/run/checkpoint/trainer.json" | grep -o '[0-9]*$' | head -n 1)
parameters=$("$nabla" train "${args[@]}" --out "$work/count" --max-steps 1 2>/dev/null | sed -n 's/^Total parameters: //p' | tr -d ,)
echo "== what the veth between the hosts carried during training"
echo "host-a sent $((tx1 - tx0)) bytes and received $((rx1 - rx0)) bytes over TCP"
echo "$steps steps × $parameters parameters × 4 bytes = $((steps * parameters * 4)) bytes: the least each direction needs,"
echo "since each host must receive the other's share of every summed gradient"
