# SPDX-License-Identifier: MIT
# loop.bash [N]: a shell loop of N short children (default 300), each /bin/true, the shape of
# builds, configure scripts and shell pipelines. stdout: how many children ran, identical from
# run to run. stderr: `times`, i.e. the shell's own user and system CPU time on the first
# line ("0m0.030s 0m0.096s"), its children's on the second.
n=0
for i in $(seq "${1:-300}"); do
	/bin/true || exit 1
	n=$((n + 1))
done
echo "children $n"
times >&2
