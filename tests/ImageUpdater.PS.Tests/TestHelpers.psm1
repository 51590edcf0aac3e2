# Shared by the Pester files: where the built module and the shared corpus are, and how a server-backed test skips.

function Get-TestModulePath {
    if ($env:IMAGEUPDATER_TEST_MODULE) { return $env:IMAGEUPDATER_TEST_MODULE }
    return (Resolve-Path (Join-Path $PSScriptRoot '../../out/ImageUpdater.PS')).Path
}

function Get-RepositoryRoot {
    return (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
}

# ../shared/data beside the repository (present in CI), or $null.
function Get-SharedDataPath {
    $candidate = Join-Path (Get-RepositoryRoot) '../shared/data'
    if (Test-Path $candidate) { return (Resolve-Path $candidate).Path }
    return $null
}

function Test-IsCI { return $env:CI -eq 'true' }

# The pwsh that runs the tests, for child processes. Started as 'dotnet pwsh' the process is dotnet itself,
# and the tool puts its own pwsh first on PATH.
function Get-PwshPath {
    $self = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    if ((Split-Path $self -Leaf) -match '^pwsh(\.exe)?$') { return $self }
    return (Get-Command pwsh -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
}

# The emulator host (tests/Emulators), built by the solution build.
function Get-EmulatorDll {
    $root = Get-RepositoryRoot
    $dll = Get-ChildItem (Join-Path $root 'tests/Emulators/bin') -Recurse -Filter 'ImageUpdater.Emulators.dll' -ErrorAction SilentlyContinue |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1
    if (-not $dll) { throw 'The emulators are not built: run ./build.ps1 first.' }
    return $dll.FullName
}

# Starts an emulator process ('ecr', 'argocd', 'kube', 'git-http', …) and returns an object with Url, Process and Stop().
# The emulator prints one JSON line ({"url": …}) on stdout when it listens.
function Start-Emulator {
    param(
        [Parameter(Mandatory)] [string] $Kind,
        [string[]] $Arguments = @()
    )
    $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    $psi.ArgumentList.Add((Get-EmulatorDll))
    $psi.ArgumentList.Add($Kind)
    foreach ($a in $Arguments) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardInput = $true
    $psi.UseShellExecute = $false
    $proc = [System.Diagnostics.Process]::Start($psi)
    $line = $proc.StandardOutput.ReadLine()
    if (-not $line) { throw "Emulator '$Kind' exited without listening (exit code $($proc.ExitCode))." }
    $info = $line | ConvertFrom-Json
    $info | Add-Member -NotePropertyName Process -NotePropertyValue $proc
    $info | Add-Member -MemberType ScriptMethod -Name Stop -Value {
        try { $this.Process.StandardInput.Close() } catch { }
        if (-not $this.Process.WaitForExit(3000)) { $this.Process.Kill($true) }
    }
    return $info
}

Export-ModuleMember -Function *
