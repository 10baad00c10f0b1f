"""What a benchmark's timings depend on: the processor, the system, library versions, how busy the machine was.

``make benchmark`` and ``make scale-benchmark`` both record :func:`machine_description`
beside their numbers, and print it as one line with :func:`describe_machine`, so a table
can always be read against the machine that made it.
"""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path

#: The libraries every description names; a benchmark can name more.
LIBRARIES = ("numpy", "pandas", "tensorflow", "keras")


def installed_version(*distributions: str) -> str | None:
    """The version of the first of ``distributions`` that is installed (TensorFlow has two names)."""
    for distribution in distributions:
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    return None


def cpu_model() -> str:
    """The processor's name as Linux reports it, else whatever :mod:`platform` knows."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor()


def usable_cpus() -> int | None:
    """The CPUs this process may run on (a container may allow fewer than the machine has)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def memory_gb() -> float | None:
    """The machine's memory in GB, where the system says (Linux, macOS)."""
    if not hasattr(os, "sysconf") or "SC_PHYS_PAGES" not in os.sysconf_names:
        return None
    return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)


def machine_description(*more_libraries: str) -> dict:
    """Processors, memory, system, the versions of :data:`LIBRARIES` and ``more_libraries``, and the load."""
    versions = {name: installed_version(name) for name in (*LIBRARIES, *more_libraries)}
    versions["tensorflow"] = installed_version("tensorflow-cpu", "tensorflow")
    return {
        "cpu_count": usable_cpus(),
        "cpu_model": cpu_model(),
        "memory_gb": memory_gb(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        **versions,
        # Another job on the machine slows every row; a load average near the CPU count says so.
        "load_average_at_start": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def describe_machine(machine: dict, more_libraries: tuple[str, ...] = ()) -> str:
    """:func:`machine_description` as one line for a markdown report."""
    libraries = ", ".join(f"{name} {machine[name]}" for name in (*LIBRARIES, *more_libraries))
    memory = f", {machine['memory_gb']} GB" if machine.get("memory_gb") else ""
    return (f"{machine['cpu_count']} CPUs ({machine['cpu_model']}){memory}, {machine['platform']}, "
            f"Python {machine['python']}; {libraries}; load average {machine['load_average_at_start']:.2f} at start")
