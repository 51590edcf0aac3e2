<#
.SYNOPSIS
    Runs every benchmark in bench/ one after another and prints their figures (build.ps1 -Task Bench).
.PARAMETER Only
    Names of the benchmarks to run (TagSelection, YamlEdit, Ecr, Decode, GitWriteBack, Oci, ArgoCD, Scale, Pipeline, Webhook, Import); all when empty.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $Configuration = 'Release',
    [string[]] $Only
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tests/ImageUpdater.PS.Tests/TestHelpers.psm1') -Force
$pwsh = Get-PwshPath
$failed = @()

function Invoke-Bench([string] $Name, [scriptblock] $Run) {
    if ($Only -and $Only -notcontains $Name) { return }
    Write-Host "`n==> bench/$Name" -ForegroundColor Cyan
    & $Run
    if ($LASTEXITCODE -ne 0) { $script:failed += $Name }
}

function Invoke-Project([string] $Folder, [string[]] $Arguments = @()) {
    $project = Get-ChildItem (Join-Path $PSScriptRoot $Folder) -Filter '*.csproj' | Select-Object -First 1
    & dotnet run --project $project.FullName -c $Configuration --no-build -- @Arguments
}

Invoke-Bench 'TagSelection' { & $pwsh -NoProfile -File (Join-Path $PSScriptRoot 'TagSelection/Invoke-TagSelectionBench.ps1') -NoBuild }
Invoke-Bench 'YamlEdit' { Invoke-Project 'YamlEdit' }
Invoke-Bench 'Ecr' { Invoke-Project 'Ecr' }
Invoke-Bench 'Decode' { Invoke-Project 'Decode' @('30') }
Invoke-Bench 'GitWriteBack' { Invoke-Project 'GitWriteBack' @('50') }
Invoke-Bench 'Oci' {
    $script = Get-ChildItem (Join-Path $PSScriptRoot 'Oci') -Filter '*.ps1' -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($script) { & $pwsh -NoProfile -File $script.FullName -ModulePath $ModulePath } else { Invoke-Project 'Oci' }
}
Invoke-Bench 'ArgoCD' { & $pwsh -NoProfile -File (Join-Path $PSScriptRoot 'ArgoCD/Measure-ArgoCD.ps1') -Count 2000 -WriteBack 100 }
Invoke-Bench 'Scale' { & $pwsh -NoProfile -File (Join-Path $PSScriptRoot 'Scale/Invoke-ScaleBench.ps1') -ModulePath $ModulePath }
Invoke-Bench 'Pipeline' { & $pwsh -NoProfile -File (Join-Path $PSScriptRoot 'Pipeline/Invoke-PipelineBench.ps1') -ModulePath $ModulePath }
Invoke-Bench 'Webhook' { & $pwsh -NoProfile -File (Join-Path $PSScriptRoot 'Webhook/Measure-PushLatency.ps1') -ModulePath $ModulePath }
Invoke-Bench 'Import' { & $pwsh -NoProfile -File (Join-Path $PSScriptRoot 'Import/Measure-ImportTime.ps1') -ModulePath $ModulePath }

if ($failed) { Write-Host "Failed: $($failed -join ', ')"; exit 1 }
