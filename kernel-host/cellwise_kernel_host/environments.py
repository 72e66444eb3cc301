"""What each installed kernelspec really runs: language version and installed packages.

Each kernelspec's own interpreter is asked (its ``argv[0]``), never the server's: for Python
``importlib.metadata`` lists the installed distributions, for R ``installed.packages()``; for
Scala (no interpreter to start: a JVM takes seconds) the jars of Debian's Scala are read, their
versions from their own properties or manifests, and the Java runtime's from its ``release``.
Answers are cached per kernelspec for ``CACHE_SECONDS``. The Cellwise SDK packages in
KERNEL_HOST_SDK_DIR (importable through PYTHONPATH, not installed distributions) are the
Python kernels' custom libraries, with the ``__version__`` their ``__init__.py`` declares.
"""

import json
import os
import re
import shutil
import subprocess
import time
import zipfile

CACHE_SECONDS = 600
PROBE_TIMEOUT_SECONDS = 60

_PYTHON_PROBE = """
import importlib.metadata as m, json, platform
seen = {}
for d in m.distributions():
    name = d.metadata["Name"]
    if name and name.lower() not in seen:
        seen[name.lower()] = {"name": name, "version": d.version}
print(json.dumps({"version": platform.python_version(), "packages": list(seen.values())}))
"""

_R_PROBE = (
    'cat(paste0(R.version$major, ".", R.version$minor), "\\n", sep = ""); '
    'ip <- installed.packages()[, c("Package", "Version"), drop = FALSE]; '
    'cat(paste(ip[, 1], ip[, 2], sep = "\\t"), sep = "\\n")'
)

_VERSION = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.M)

_cache = {}


def describe(name, spec):
    """One kernelspec's environment (cached): kernelType-independent fields only."""
    key = (name, tuple(spec.argv), spec.language)
    hit = _cache.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    language = (spec.language or "").lower()
    if language == "python":
        version, packages, error = _probe_python(spec.argv[0])
    elif language == "r":
        version, packages, error = _probe_r(spec.argv[0])
    elif language == "scala":
        version, packages, error = _probe_scala()
    else:
        version, packages, error = None, [], None
    packages = sorted(packages, key=lambda p: p["name"].lower())
    model = {
        "name": name,
        "displayName": spec.display_name,
        "language": spec.language,
        "languageVersion": version,
        "packages": packages,
        "customLibraries": custom_libraries() if language == "python" else [],
    }
    if error:
        model["probeError"] = error
    else:  # a failed probe is retried on the next request
        _cache[key] = (time.monotonic() + CACHE_SECONDS, model)
    return model


def _run(argv):
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=PROBE_TIMEOUT_SECONDS, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited {done.returncode}: {done.stderr.strip()[-300:]}")
    return done.stdout


def _probe_python(executable):
    try:
        answer = json.loads(_run([executable, "-I", "-c", _PYTHON_PROBE]).strip().splitlines()[-1])
        return answer["version"], answer["packages"], None
    except (OSError, RuntimeError, ValueError, KeyError, IndexError, subprocess.TimeoutExpired) as error:
        return None, [], str(error)


def _probe_r(executable):
    # Rscript sits beside R; R itself is what the kernelspec names.
    r_path = shutil.which(executable)
    rscript = os.path.join(os.path.dirname(r_path), "Rscript") if r_path else None
    try:
        if rscript is None or not os.path.exists(rscript):
            raise RuntimeError(f"no Rscript beside {executable}")
        lines = _run([rscript, "--vanilla", "-e", _R_PROBE]).splitlines()
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as error:
        return None, [], str(error)
    seen = {}
    for line in lines[1:]:
        package, _, version = line.partition("\t")
        if package and version and package not in seen:  # the first library on .libPaths() wins
            seen[package] = {"name": package, "version": version}
    return lines[0].strip() if lines else None, list(seen.values()), None


SCALA_HOME = "/usr/share/scala"
JAVA = "/usr/bin/java"
_JAR_VERSION = re.compile(r"^(?:version\.number|Bundle-Version|Implementation-Version)[=:]\s*(\S+)", re.M)


def _probe_scala():
    """Scala's version (scala-library's ``library.properties``) and its jars, with the Java
    runtime the kernel starts (``/usr/bin/java``'s ``release`` file)."""
    packages = []
    version = None
    try:
        for name in sorted(os.listdir(os.path.join(SCALA_HOME, "lib"))):
            if not name.endswith(".jar"):
                continue
            found = _jar_version(os.path.join(SCALA_HOME, "lib", name))
            packages.append({"name": name[: -len(".jar")], "version": found})
            if name == "scala-library.jar":
                version = found
        release = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(JAVA))), "release")
        with open(release, encoding="utf-8") as text:
            java = re.search(r'^JAVA_VERSION="([^"]+)"', text.read(), re.M)
        packages.append({"name": "java", "version": java.group(1) if java else None})
    except OSError as error:
        return None, [], str(error)
    return version, packages, None


def _jar_version(path):
    """A jar's version: its ``*.properties`` ``version.number`` (Scala's own jars), else its
    manifest's Bundle-Version or Implementation-Version. (scalap.jar also holds a
    ``decoder.properties`` of another version: the jar's own name comes first.)"""
    own = os.path.basename(path)[: -len(".jar")].replace("scala-", "") + ".properties"
    try:
        with zipfile.ZipFile(path) as jar:
            names = [n for n in jar.namelist() if n.endswith(".properties") and "/" not in n]
            for name in [own, *names, "META-INF/MANIFEST.MF"]:
                if name in jar.namelist():
                    match = _JAR_VERSION.search(jar.read(name).decode("utf-8", "replace"))
                    if match:
                        return match.group(1)
    except (OSError, zipfile.BadZipFile, KeyError):
        pass
    return None


def custom_libraries():
    """The SDK's top-level packages and modules in KERNEL_HOST_SDK_DIR, with their versions.

    A module without its own ``__version__`` that imports from another SDK package (the
    ``mindzie_sdk`` and ``process_mining_utils`` aliases of ``cellwise``) has that package's.
    """
    root = os.environ.get("KERNEL_HOST_SDK_DIR")
    if not root or not os.path.isdir(root):
        return []
    sources = {}
    for entry in sorted(os.listdir(root)):
        package = os.path.join(root, entry, "__init__.py")
        if entry.startswith((".", "_")):
            continue
        if os.path.isfile(package):
            sources[entry] = _read(package)
        elif entry.endswith(".py") and os.path.isfile(os.path.join(root, entry)):
            sources[entry[:-3]] = _read(os.path.join(root, entry))
    found = []
    for name, text in sources.items():
        match = _VERSION.search(text)
        if match is None:
            origin = _IMPORTS_FROM.search(text)
            other = sources.get(origin.group(1)) if origin else None
            match = _VERSION.search(other) if other else None
        found.append({"name": name, "version": match.group(1) if match else None})
    return found


_IMPORTS_FROM = re.compile(r"^from\s+(\w+)[\w.]*\s+import\b", re.M)


def _read(path):
    with open(path, encoding="utf-8") as source:
        return source.read()
