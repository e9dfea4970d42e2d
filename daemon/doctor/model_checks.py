"""The default models are installed and load, and where they run (GPU or CPU)."""

from __future__ import annotations

from typing import Any

from daemon.device import (
    cuda_available_for_ctranslate2,
    cuda_available_for_llama,
    resolve_llm_device,
    resolve_speech_device,
)
from daemon.doctor.check import Check, failed, info, passed, warn
from daemon.doctor.context import Context
from daemon.doctor.gpu import gpu_memory
from daemon.errors import ModelError
from daemon.models.registry import (
    Kind,
    ModelInfo,
    ModelRegistry,
    check_gguf_file,
    check_speech_folder,
)

LABELS: dict[Kind, str] = {"speech": "speech", "llm": "language"}


def speech_model(ctx: Context) -> Check:
    """The configured speech model is installed, complete, and loads."""
    return _model(ctx, "speech", ctx.settings.speech.model)


def llm_model(ctx: Context) -> Check:
    """The configured language model is installed, complete, and loads."""
    return _model(ctx, "llm", ctx.settings.llm.model)


def _model(ctx: Context, kind: Kind, name: str) -> Check:
    check = f"{kind}_model"
    try:
        installed = {i.name: i for i in ModelRegistry(ctx.paths).all() if i.kind == kind}
    except ModelError as error:
        return failed(check, str(error), f"correct or remove {ctx.paths.models_file}")
    model = installed.get(name)
    if model is None:
        names = ", ".join(sorted(installed)) or "none"
        return failed(
            check,
            f"the default {LABELS[kind]} model {name!r} is not installed (installed: {names})",
            f"set {kind}.model to an installed model, or add one with `sottovoce models add PATH`",
        )
    problem = _files_problem(model)
    if problem is not None:
        return failed(check, problem, "reinstall it, or `sottovoce models add` a complete copy")
    status: Any = ((ctx.daemon.health or {}).get("models") or {}).get(kind)
    if not isinstance(status, dict):
        return passed(check, f"{name} installed ({model.source})")
    if status.get("name") != name:
        return warn(
            check,
            f"the daemon uses {status.get('name')!r}, the config names {name!r}",
            "restart the daemon so that it reads the config again",
        )
    if status.get("state") == "error":
        return failed(
            check,
            f"{name} failed to load: {status.get('error', 'unknown error')}",
            "see the daemon's log, or choose another model",
        )
    state = "loaded" if status.get("state") == "loaded" else "installed, loads on first use"
    return passed(check, f"{name} {state} ({model.source})")


def _files_problem(model: ModelInfo) -> str | None:
    if model.source == "embedded" and not model.path.exists():
        return None  # the packaged Whisper base is joined into place at first use
    try:
        if model.kind == "speech":
            check_speech_folder(model.path)
        else:
            check_gguf_file(model.path)
    except ModelError as error:
        return str(error)
    return None


def devices(ctx: Context) -> dict[Kind, str]:
    """Where each engine runs: from the daemon, else what it would choose here."""
    health_models: Any = (ctx.daemon.health or {}).get("models") or {}
    found: dict[Kind, str] = {}
    for kind in ("speech", "llm"):
        status = health_models.get(kind)
        if isinstance(status, dict) and status.get("device") in ("cpu", "cuda"):
            found[kind] = str(status["device"])
    if len(found) == 2:
        return found
    found.setdefault("speech", resolve_speech_device(ctx.settings.speech.device)[0])
    found.setdefault("llm", resolve_llm_device(ctx.settings.llm.device))
    return found


def device(ctx: Context) -> Check:
    """Each engine runs on the GPU when one is configured and usable."""
    if (
        ctx.settings.speech.device == "cuda"
        and not ctx.daemon.running
        and not cuda_available_for_ctranslate2()
    ):
        return failed(
            "device",
            'speech.device = "cuda" but CTranslate2 sees no CUDA device: speech will not load',
            'set speech.device = "auto" (GPU when there is one) or "cpu"',
        )
    if (
        ctx.settings.llm.device == "cuda"
        and not ctx.daemon.running
        and not cuda_available_for_llama()
    ):
        return warn(
            "device",
            'llm.device = "cuda" but this llama.cpp build cannot offload to a GPU: it runs on the CPU',
            'install llama-cpp-python built with CUDA, or set llm.device = "auto"',
        )
    found = devices(ctx)
    where = "the running daemon" if ctx.daemon.running else "the config and this machine"
    return passed(
        "device", f"speech on {found['speech']}, language model on {found['llm']} ({where})"
    )


def vram(ctx: Context) -> Check:
    """GPU memory the daemon holds, when it runs on CUDA."""
    if "cuda" not in devices(ctx).values():
        return info("vram", "no engine runs on a GPU")
    pid = ctx.daemon.runtime.pid if ctx.daemon.runtime is not None else None
    memory = gpu_memory(pid)
    if memory is None:
        return info("vram", "unknown (nvidia-smi is not available)")
    own = f"the daemon holds {memory.process_mib} MiB; " if memory.process_mib is not None else ""
    return info("vram", f"{own}the GPU has {memory.used_mib} of {memory.total_mib} MiB in use")
