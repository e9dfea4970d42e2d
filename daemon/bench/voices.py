"""Three different synthetic voices (Debian packages the test setup installs), made at run time.

No voice of a real person is shipped or needed: espeak-ng (formant), flite's kal16
(diphone) and festival's HTS voice cmu_us_slt_arctic_hts (statistical parametric)
sound unlike each other, so a figure that holds on all three is not one voice's luck.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from daemon.bench.common import BenchError

SAMPLE_RATE = 16_000
# The espeak-ng voice Whisper base understands best (measured).
ESPEAK = ["espeak-ng", "-v", "en-us+f3", "-s", "140", "-g", "4"]
FLITE = ["flite", "-voice", "kal16"]
FESTIVAL = ["text2wave", "-eval", "(voice_cmu_us_slt_arctic_hts)"]
VOICES = ("espeak-ng", "flite", "festival")


def _command(voice: str, text_file: Path, out: Path) -> list[str]:
    if voice == "espeak-ng":
        return [*ESPEAK, "-f", str(text_file), "-w", str(out)]
    if voice == "flite":
        return [*FLITE, "-f", str(text_file), "-o", str(out)]
    if voice == "festival":
        return [*FESTIVAL, str(text_file), "-o", str(out)]
    raise BenchError(f"unknown voice {voice!r}; choose from {', '.join(VOICES)}")


def available(voice: str) -> bool:
    """Whether this machine has the voice's synthesiser (and sox to resample it)."""
    program = {"espeak-ng": ESPEAK, "flite": FLITE, "festival": FESTIVAL}[voice][0]
    return shutil.which(program) is not None and shutil.which("sox") is not None


def speak(text: str, path: Path, voice: str = "espeak-ng", rate: int = SAMPLE_RATE) -> Path:
    """Write `text` spoken by `voice` as mono 16-bit WAV at `rate` Hz."""
    with tempfile.TemporaryDirectory(prefix="sottovoce-voice-") as folder:
        text_file, raw = Path(folder) / "text.txt", Path(folder) / "raw.wav"
        text_file.write_text(text + "\n", encoding="utf-8")
        subprocess.run(_command(voice, text_file, raw), check=True, capture_output=True)
        subprocess.run(
            ["sox", str(raw), "-r", str(rate), "-c", "1", "-b", "16", str(path)],
            check=True,
            capture_output=True,
        )
    return path
