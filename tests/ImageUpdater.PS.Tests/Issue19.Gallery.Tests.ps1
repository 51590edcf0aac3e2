# Issue 19, item 3: the gallery package. The module folder is packed as the Package task packs it (Compress-PSResource),
# published into a local PSResourceGet file repository, installed with Install-PSResource, then imported and run in a
# fresh pwsh process. HOME points into the test drive, so the repository registration and the install touch nothing else.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:ModulePath = Get-TestModulePath
    $script:Manifest = Import-PowerShellDataFile (Join-Path $ModulePath 'ImageUpdater.PS.psd1')
    $script:Home19 = Join-Path $TestDrive 'home'
    $script:Repository = Join-Path $TestDrive 'repository'
    $script:Packages = Join-Path $TestDrive 'packages'
    $null = New-Item -ItemType Directory $Home19, $Repository, $Packages -Force

    # A fresh pwsh with its own HOME and the default module path (none of this process's).
    function Invoke-Isolated([string] $Script) {
        $psi = [System.Diagnostics.ProcessStartInfo]::new((Get-PwshPath))
        $psi.WorkingDirectory = $TestDrive
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $Script) { $psi.ArgumentList.Add($a) }
        $psi.Environment['HOME'] = $Home19
        $psi.Environment.Remove('PSModulePath') | Out-Null
        $psi.Environment.Remove('XDG_DATA_HOME') | Out-Null
        $psi.Environment.Remove('XDG_CONFIG_HOME') | Out-Null
        $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false
        $p = [System.Diagnostics.Process]::Start($psi)
        $err = $p.StandardError.ReadToEndAsync()
        $out = $p.StandardOutput.ReadToEnd()
        $p.WaitForExit()
        [pscustomobject]@{ ExitCode = $p.ExitCode; Output = $out + $err.Result }
    }
}

Describe 'The gallery package' {
    It 'has what the gallery shows in the manifest, and the LICENSE the manifest names' {
        $Manifest.PowerShellVersion | Should -Be '5.1'
        $Manifest.HelpInfoUri | Should -Match '^https://'
        $data = $Manifest.PrivateData.PSData
        $data.ProjectUri | Should -Match '^https://'
        $data.LicenseUri | Should -Be "$($data.ProjectUri)/blob/main/LICENSE"
        $data.ReleaseNotes | Should -Match 'CHANGELOG.md'
        $data.Tags | Should -Contain 'ArgoCD'
        $data.Tags | Should -Contain 'AzureAutomation'
        $license = Get-Content (Join-Path (Get-RepositoryRoot) 'LICENSE') -Raw
        $license | Should -Match 'Apache License\s+Version 2.0'
        $Manifest.Copyright | Should -Match 'Apache-2.0'
        Join-Path $ModulePath 'LICENSE' | Should -Exist
        Join-Path (Get-RepositoryRoot) 'CHANGELOG.md' | Should -Exist
        (Get-Content (Join-Path (Get-RepositoryRoot) 'CHANGELOG.md') -Raw) | Should -Match "\[$([regex]::Escape($Manifest.ModuleVersion))\]"
    }

    It 'is packed, published to a local repository, installed with Install-PSResource, and imported and run in a fresh process' {
        Import-Module Microsoft.PowerShell.PSResourceGet -ErrorAction Stop
        # NuGet may write a default NuGet/NuGet.Config relative to the current folder: keep it in the test drive.
        Push-Location $TestDrive
        try { Compress-PSResource -Path $ModulePath -DestinationPath $Packages } finally { Pop-Location }
        $nupkg = Join-Path $Packages "ImageUpdater.PS.$($Manifest.ModuleVersion).nupkg"
        $nupkg | Should -Exist

        $publish = Invoke-Isolated (
            "`$ErrorActionPreference = 'Stop'; " +
            "Register-PSResourceRepository -Name Local19 -Uri '$Repository' -Trusted; " +
            "Publish-PSResource -NupkgPath '$nupkg' -Repository Local19; " +
            "Install-PSResource ImageUpdater.PS -Repository Local19 -Scope CurrentUser -TrustRepository -Quiet; " +
            "(Get-InstalledPSResource ImageUpdater.PS).InstalledLocation")
        $publish.ExitCode | Should -Be 0 -Because $publish.Output
        $publish.Output | Should -Match ([regex]::Escape($Home19))
        Get-ChildItem $Repository -Filter '*.nupkg' | Should -Not -BeNullOrEmpty

        $app = Join-Path $TestDrive 'app.yaml'
        "apiVersion: argoproj.io/v1alpha1`nkind: Application`nmetadata:`n  name: gallery`n  namespace: argocd`n  annotations:`n    argocd-image-updater.argoproj.io/image-list: web=ghcr.io/acme/web:~1`nspec:`n  project: default`n  source:`n    repoURL: https://git.example.com/gitops.git`n    path: apps/web`n    helm: {}`n" | Set-Content $app
        $run = Invoke-Isolated (
            "`$ErrorActionPreference = 'Stop'; Import-Module ImageUpdater.PS; " +
            "'base=' + (Get-Module ImageUpdater.PS).ModuleBase; " +
            "'version=' + (Get-Module ImageUpdater.PS).Version; " +
            "'app=' + (Get-ArgoApplication -Path '$app').Name")
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match "base=$([regex]::Escape($Home19))"
        $run.Output | Should -Match "version=$([regex]::Escape($Manifest.ModuleVersion))"
        $run.Output | Should -Match 'app=gallery'
    }
}
