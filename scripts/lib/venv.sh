# Sourced by scripts/test, scripts/serve and scripts/bench: make "$VENV" match the lock.
#
# The venv gets exactly the versions in requirements/test.lock (hash-checked), then
# this checkout as an editable install built without network (the build backend is in
# the lock too). A stamp of the lock and the package part of pyproject.toml (not its
# tool settings) skips all of it when nothing
# changed, so a second run needs no registry.
# INTERVISIEBORD_NEWEST=1 (scripts/upgrade-check) installs the newest allowed versions
# into .venv-newest instead, to see what an upgrade would break before the lock moves.

PYTHON=${PYTHON:-python3}
LOCK=requirements/test.lock
if [ "${INTERVISIEBORD_NEWEST:-0}" = 1 ]; then
    VENV=${VENV:-.venv-newest}
else
    VENV=${VENV:-.venv}
fi

ensure_venv() {
    [ "${INTERVISIEBORD_VENV_READY:-0}" = 1 ] && return 0
    local stamp="$VENV/.intervisiebord-lock"
    local want
    # the lock and what pyproject.toml says of the package (not its tool settings)
    want=$( { cat "$LOCK"; "$PYTHON" -c 'import json, tomllib
d = tomllib.load(open("pyproject.toml", "rb"))
print(json.dumps([d["project"], d["build-system"], d["tool"]["setuptools"]], sort_keys=True))'
    } | sha256sum | cut -d' ' -f1)
    if [ "${INTERVISIEBORD_NEWEST:-0}" != 1 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    local pip=("$VENV/bin/pip" --quiet --disable-pip-version-check)
    if [ "${INTERVISIEBORD_NEWEST:-0}" = 1 ]; then
        echo "installing the newest allowed versions into $VENV"
        "${pip[@]}" install --upgrade setuptools
        "${pip[@]}" install --upgrade --upgrade-strategy eager -e '.[test,redis]'
        return 0
    fi
    echo "installing the locked versions into $VENV"
    "${pip[@]}" install --require-hashes --no-deps -r "$LOCK"
    "${pip[@]}" install --no-deps --no-build-isolation --no-index -e .
    echo "$want" > "$stamp"
}
