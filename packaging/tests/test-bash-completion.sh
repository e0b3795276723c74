#!/usr/bin/env bash
# Tests packaging/bash-completion/snoc (run by ctest as packaging.bash_completion).
# Usage: test-bash-completion.sh [SNOC_BINARY]
#   Sources the completion, sets COMP_WORDS / COMP_CWORD as bash would, calls
#   _snoc and compares COMPREPLY. Profile names come from a stub `snoc` that
#   prints JSON in the real `snoc profiles -o json` layout; with SNOC_BINARY
#   (a native build) they also come from the real binary.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
completion="$here/../bash-completion/snoc"
real_snoc=${1:-}
if [[ -n $real_snoc ]]; then
    real_snoc=$(cd "$(dirname "$real_snoc")" && pwd)/$(basename "$real_snoc")
fi
# shellcheck source=../bash-completion/snoc
. "$completion"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/specs/sub" "$work/bin" "$work/extra"
touch "$work/specs/edge.yaml" "$work/specs/lab.yml" "$work/specs/notes.txt" "$work/specs/sub/x.yaml" \
      "$work/specs/my spec.yaml"
cat > "$work/bin/snoc" <<'STUB'
#!/bin/sh
# stub: `snoc [--profiles-dir DIR] profiles -o json`, nlohmann::json dump(2) layout
printf '%s\n' '[' '  {' '    "backends": {' '      "tc-flower": {' '        "name": "not-a-profile"' \
  '      }' '    },' '    "name": "connectx-6dx",' '    "vendor": "NVIDIA"' '  },' '  {' '    "name": "sim"'
if [ "$1" = --profiles-dir ] && [ -n "$2" ]; then
  printf '%s\n' '  },' '  {' "    \"name\": \"$(basename "$2")\""
fi
printf '%s\n' '  }' ']'
STUB
chmod +x "$work/bin/snoc"

fails=0
checks=0
# expect "LINE BEING COMPLETED" EXPECTED_WORD... : the line's last word (possibly
# empty: end the line with a space) is completed; COMPREPLY must equal the words.
expect() {
    local line=$1
    shift
    local -a want=("$@")
    # Split like readline does, with "=" as its own word (default COMP_WORDBREAKS).
    local -a words
    read -r -a words <<<"${line//=/ = }"
    [[ $line == *" " ]] && words+=("")
    COMP_WORDS=("${words[@]}")
    COMP_CWORD=$((${#words[@]} - 1))
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMPREPLY=()
    _snoc "${words[0]}" "${words[-1]}" "${words[-2]:-}" 2>/dev/null
    local got
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
    local exp
    exp=$(printf '%s\n' "${want[@]}" | sort | tr '\n' ' ')
    checks=$((checks + 1))
    if [[ $got != "$exp" ]]; then
        echo "FAIL: '$line' -> [$got], want [$exp]"
        fails=$((fails + 1))
    fi
}

cd "$work/specs" || exit 1
snoc="$work/bin/snoc"

expect "$snoc " validate plan apply run down status flows profiles
expect "$snoc p" plan profiles
expect "$snoc --" --profiles-dir --help --version
expect "$snoc -" --profiles-dir -h --help --version
expect "$snoc --profiles-dir ../extra " validate plan apply run down status flows profiles
expect "$snoc --profiles-dir ../ex" ../extra
expect "$snoc validate " edge.yaml lab.yml "my spec.yaml" sub/
expect "$snoc validate e" edge.yaml
expect "$snoc validate m" "my spec.yaml"
expect "$snoc validate sub/" sub/x.yaml
expect "$snoc validate edge.yaml " # one spec only
expect "$snoc plan -" -o --output --profiles-dir -h --help
expect "$snoc plan -o " text json
expect "$snoc plan -o j" json
expect "$snoc plan --output=" text json
expect "$snoc plan --output=t" text
expect "$snoc plan -o json " edge.yaml lab.yml "my spec.yaml" sub/
expect "$snoc plan --output=json " edge.yaml lab.yml "my spec.yaml" sub/
expect "$snoc apply --" --output --profiles-dir --help --dry-run --ovsdb --ovs-rundir --run-dir --lock-wait
expect "$snoc apply --dry-run " edge.yaml lab.yml "my spec.yaml" sub/
expect "$snoc run --" --ovsdb --ovs-rundir --run-dir --lock-wait --listen --repair-interval --log-level --profiles-dir --help
expect "$snoc run --run-dir s" sub
expect "$snoc run --lock-wait " # free-form seconds
expect "$snoc run --log-level w" warn
expect "$snoc run --listen " # free-form address
expect "$snoc down --" --output --profiles-dir --help --dry-run --run-dir --lock-wait
expect "$snoc status --" --output --profiles-dir --help --listen
expect "$snoc status " edge.yaml lab.yml "my spec.yaml" sub/
expect "$snoc flows --placement " hw tc ovs failed
expect "$snoc flows --placement o" ovs
expect "$snoc flows --placement=f" failed
expect "$snoc flows --placement ovs --" --output --profiles-dir --help --listen --placement --workload
expect "$snoc flows --workload web " edge.yaml lab.yml "my spec.yaml" sub/
expect "$snoc profiles " connectx-6dx sim
expect "$snoc profiles c" connectx-6dx
expect "$snoc profiles -o json " connectx-6dx sim
expect "$snoc --profiles-dir ../extra profiles " connectx-6dx sim extra
expect "$snoc profiles --profiles-dir ../extra " connectx-6dx sim extra
expect "$snoc plan --profiles-dir ../extra " edge.yaml lab.yml "my spec.yaml" sub/
expect "$snoc plan --profiles-dir ../e" ../extra
expect "$snoc profiles sim " # one name only
expect "$snoc bogus " # unknown subcommand: nothing

if [[ -n $real_snoc ]]; then
    if "$real_snoc" profiles -o json >/dev/null 2>&1; then
        COMP_WORDS=("$real_snoc" profiles "connectx-")
        COMP_CWORD=2
        COMPREPLY=()
        _snoc 2>/dev/null
        checks=$((checks + 1))
        if [[ " ${COMPREPLY[*]} " != *" connectx-6dx "* || " ${COMPREPLY[*]} " == *" sim "* ]]; then
            echo "FAIL: real '$real_snoc profiles connectx-' -> [${COMPREPLY[*]}]"
            fails=$((fails + 1))
        fi
        names=$(_snoc_profile_names | sort | tr '\n' ' ')
        listed=$("$real_snoc" profiles | awk 'NR > 1 { print $1 }' | sort | tr '\n' ' ')
        checks=$((checks + 1))
        if [[ -z $names || $names != "$listed" ]]; then
            echo "FAIL: profile names from -o json [$names] differ from 'snoc profiles' [$listed]"
            fails=$((fails + 1))
        fi
    else
        echo "note: $real_snoc does not run here; real profile names not checked"
    fi
fi

echo "bash completion: $((checks - fails))/$checks checks passed"
[[ $fails -eq 0 ]]
