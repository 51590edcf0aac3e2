#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, packages and demonstrates ImageUpdater.PS.
.PARAMETER Task
    Build (default), Test, Package, Demo, Bench or Clean.
.PARAMETER Configuration
    Release (default) or Debug.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'Bench', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Pester tests to run (a path or a filter on file names); all when empty.
    [string[]] $PesterPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'ImageUpdater.PS'
$ModuleName = 'ImageUpdater.PS'

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "'$File $($Arguments -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Build {
    Write-Host "==> Build ($Configuration)" -ForegroundColor Cyan
    if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $ModuleOut -Force

    Invoke-Native dotnet @('build', (Join-Path $Root 'ImageUpdater.PS.sln'), '-c', $Configuration, '-nologo', '-clp:ErrorsOnly;Summary', '-v:q')

    foreach ($tfm in 'net8.0', 'net472') {
        $dest = Join-Path $ModuleOut "bin/$tfm"
        Invoke-Native dotnet @('publish', (Join-Path $Root 'src/ImageUpdater.PS/ImageUpdater.PS.csproj'), '-c', $Configuration, '-f', $tfm, '-o', $dest, '--no-build', '-nologo', '-v:q')
        Get-ChildItem $dest -Include '*.pdb', '*.deps.json' -Recurse | Remove-Item -Force
    }
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/ImageUpdater.Loader/ImageUpdater.Loader.csproj'), '-c', $Configuration, '-o', (Join-Path $ModuleOut 'bin/net8.0'), '--no-build', '-nologo', '-v:q')
    Get-ChildItem (Join-Path $ModuleOut 'bin/net8.0') -Include '*.pdb', '*.deps.json' | Remove-Item -Force

    Invoke-ReadyToRun (Join-Path $ModuleOut 'bin/net8.0')
    Copy-Item (Join-Path $Root 'module/*') $ModuleOut -Recurse -Force
    Copy-Item (Join-Path $Root 'LICENSE') $ModuleOut -Force

    # Help: docs/*.md → MAML, generated in a child process that imports the built module for the syntax.
    Invoke-Native (Get-PwshPath) @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'tools/New-MamlHelp.ps1'), '-ModulePath', $ModuleOut, '-DocsPath', (Join-Path $Root 'docs'))
    Write-Host "Module: $ModuleOut"
}

# Precompiles the module's hot assemblies (ReadyToRun) for linux-x64 against the .NET runtime PowerShell runs on, so a
# scheduled run does not spend its first seconds compiling them (measured in BENCHMARKS.md, fleet benchmark). The files
# keep their IL: on any other OS or architecture, or another runtime, .NET ignores the precompiled code and compiles as
# before. Skipped, with a note, where crossgen2 cannot run or cannot be restored; the module works the same without it.
function Invoke-ReadyToRun([string] $Bin) {
    $arch = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture
    if (-not $IsLinux -or $arch -ne [System.Runtime.InteropServices.Architecture]::X64) {
        Write-Host "ReadyToRun: skipped (precompiled for linux-x64 hosts only; this is $arch)."
        return
    }
    $runtimeDir = [System.Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory()
    $version = Split-Path ($runtimeDir.TrimEnd('/')) -Leaf
    $nugetRoot = Get-NuGetRoot
    $crossgen = Join-Path $nugetRoot "microsoft.netcore.app.crossgen2.linux-x64/$version/tools/crossgen2"
    if (-not (Test-Path $crossgen)) {
        & dotnet restore (Join-Path $Root 'tools/ReadyToRun/ReadyToRun.csproj') "-p:Crossgen2Version=$version" -nologo -v:q | Out-Host
    }
    if (-not (Test-Path $crossgen)) {
        Write-Warning "ReadyToRun: skipped (crossgen2 $version could not be restored); the module is built without precompiled code."
        return
    }
    $staging = Join-Path ([IO.Path]::GetTempPath()) ('iu-r2r-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory $staging
    try {
        $names = 'ImageUpdater.Core', 'ImageUpdater.PS', 'YamlDotNet', 'AWSSDK.Core', 'LibGit2Sharp'
        foreach ($name in $names) {
            # A response file: PowerShell on Unix would expand the '*.dll' reference patterns itself.
            $rsp = Join-Path $staging "$name.rsp"
            @((Join-Path $Bin "$name.dll"), '-o', (Join-Path $staging "$name.dll"), '-O', '--targetos', 'linux', '--targetarch', 'x64',
                '-r', (Join-Path $runtimeDir '*.dll'), '-r', (Join-Path $PSHOME '*.dll'), '-r', (Join-Path $Bin '*.dll')) | Set-Content $rsp
            Invoke-Native $crossgen @("@$rsp")
        }
        foreach ($name in $names) { Move-Item (Join-Path $staging "$name.dll") (Join-Path $Bin "$name.dll") -Force }
        Write-Host "ReadyToRun: $($names -join ', ') precompiled for linux-x64 against .NET $version."
    }
    finally {
        Remove-Item $staging -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Get-PwshPath {
    # The pwsh running this script (the dotnet tool) is the one the tests use too.
    $self = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    if ($self -and (Split-Path $self -Leaf) -match '^pwsh(\.exe)?$') { return $self }
    return (Get-Command pwsh -ErrorAction Stop).Source
}

# The NuGet package cache the SDK restores into.
function Get-NuGetRoot {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    return Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages'
}

function Get-PesterModulePath {
    $nugetRoot = Get-NuGetRoot
    $psd1 = Join-Path $nugetRoot 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $psd1)) {
        Invoke-Native dotnet @('restore', (Join-Path $Root 'tests/ImageUpdater.PS.Tests/ImageUpdater.PS.Tests.csproj'), '-nologo', '-v:q')
    }
    if (-not (Test-Path $psd1)) { throw "Pester 5.7.1 was not found at $psd1 after restore." }
    return $psd1
}

function Invoke-Test {
    Invoke-Build
    $results = Join-Path $Out 'test-results'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    $null = New-Item -ItemType Directory $results

    Write-Host '==> xunit (ImageUpdater.Core.Tests)' -ForegroundColor Cyan
    & dotnet test (Join-Path $Root 'tests/ImageUpdater.Core.Tests/ImageUpdater.Core.Tests.csproj') -c $Configuration --no-build -nologo `
        --logger "trx;LogFileName=core.trx" --results-directory $results -v:q
    $xunitExit = $LASTEXITCODE
    $xPassed = 0; $xFailed = 0; $xSkipped = 0
    $trx = Get-ChildItem $results -Filter '*.trx' -Recurse | Select-Object -First 1
    if ($trx) {
        [xml] $doc = Get-Content $trx.FullName -Raw
        $c = $doc.TestRun.ResultSummary.Counters
        $xPassed = [int] $c.passed; $xFailed = [int] $c.failed + [int] $c.error + [int] $c.timeout + [int] $c.aborted
        # xunit.v3 reports skipped tests as results with outcome NotExecuted but leaves the notExecuted counter at 0.
        $xSkipped = @($doc.TestRun.Results.UnitTestResult | Where-Object outcome -EQ 'NotExecuted').Count
    }
    elseif ($xunitExit -ne 0) { $xFailed = 1 }
    if ($xunitExit -ne 0 -and $xFailed -eq 0) { $xFailed = 1 }

    Write-Host '==> Pester (ImageUpdater.PS.Tests)' -ForegroundColor Cyan
    $pester = Get-PesterModulePath
    $summary = Join-Path $results 'pester.json'
    $paths = if ($PesterPath) { $PesterPath } else { @(Join-Path $Root 'tests/ImageUpdater.PS.Tests') }
    $runner = Join-Path $Root 'tests/ImageUpdater.PS.Tests/Invoke-PesterRun.ps1'
    & (Get-PwshPath) -NoProfile -NonInteractive -File $runner -PesterPath $pester -ModulePath $ModuleOut -TestPath ($paths -join ';') -SummaryPath $summary
    $pesterExit = $LASTEXITCODE
    $pPassed = 0; $pFailed = 0; $pSkipped = 0
    if (Test-Path $summary) {
        $s = Get-Content $summary -Raw | ConvertFrom-Json
        $pPassed = $s.Passed; $pFailed = $s.Failed; $pSkipped = $s.Skipped
    }
    if ($pesterExit -ne 0 -and $pFailed -eq 0) { $pFailed = 1 }

    $passed = $xPassed + $pPassed
    $failed = $xFailed + $pFailed
    $skipped = $xSkipped + $pSkipped
    Write-Host ''
    Write-Host "xunit: $xPassed passed, $xFailed failed, $xSkipped skipped; Pester: $pPassed passed, $pFailed failed, $pSkipped skipped"
    Write-Output "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Package {
    Invoke-Build
    $manifest = Import-PowerShellDataFile (Join-Path $ModuleOut "$ModuleName.psd1")
    $zip = Join-Path $Out "$ModuleName.zip"
    if (Test-Path $zip) { Remove-Item $zip -Force }
    # Azure Automation expects the zip named like the module with the module folder's content at its root.
    Compress-Archive -Path (Join-Path $ModuleOut '*') -DestinationPath $zip
    $long = Get-ChildItem $ModuleOut -Recurse -File | ForEach-Object { "$ModuleName/$($manifest.ModuleVersion)/" + [IO.Path]::GetRelativePath($ModuleOut, $_.FullName) } | Where-Object Length -GE 140
    if ($long) { throw "Paths too long for Azure Automation (140): $($long -join ', ')" }
    $size = (Get-Item $zip).Length
    if ($size -ge 100MB) { throw "Package is $([math]::Round($size / 1MB)) MB; Azure Automation accepts less than 100 MB." }
    Write-Host ("Package: {0} ({1:N1} MB, version {2})" -f $zip, ($size / 1MB), $manifest.ModuleVersion)

    # The gallery package: what Publish-PSResource takes (-NupkgPath) and Install-PSResource installs; PSResourceGet ships with pwsh.
    Get-ChildItem $Out -Filter "$ModuleName.*.nupkg" | Remove-Item -Force
    Import-Module Microsoft.PowerShell.PSResourceGet -ErrorAction Stop
    # NuGet may write a default NuGet/NuGet.Config relative to the current folder: keep it out of the source tree.
    Push-Location $Out
    try { Compress-PSResource -Path $ModuleOut -DestinationPath $Out } finally { Pop-Location }
    $nupkg = Get-ChildItem $Out -Filter "$ModuleName.$($manifest.ModuleVersion).nupkg" | Select-Object -First 1
    if (-not $nupkg) { throw "Compress-PSResource wrote no $ModuleName.$($manifest.ModuleVersion).nupkg in $Out." }
    Write-Host ("Gallery package: {0} ({1:N1} MB)" -f $nupkg.FullName, ($nupkg.Length / 1MB))
}

function Invoke-Demo {
    $demo = Join-Path $Root 'examples/demo.ps1'
    Invoke-Build
    & (Get-PwshPath) -NoProfile -NonInteractive -File $demo -ModulePath $ModuleOut
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Bench {
    Invoke-Build
    & (Get-PwshPath) -NoProfile -NonInteractive -File (Join-Path $Root 'bench/Invoke-Benchmarks.ps1') -ModulePath $ModuleOut -Configuration $Configuration
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Clean {
    foreach ($dir in @($Out) + @(Get-ChildItem $Root -Directory -Recurse -Include 'bin', 'obj' | Where-Object { $_.FullName -notlike "*node_modules*" }).FullName) {
        if ($dir -and (Test-Path $dir)) { Remove-Item $dir -Recurse -Force }
    }
    Write-Host 'Clean.'
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Package' { Invoke-Package }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'Clean' { Invoke-Clean }
}
