BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:ModulePath = Get-TestModulePath
    $script:Pwsh = Get-PwshPath

    # Runs a script in a fresh pwsh and returns its output lines (the module's isolation depends on a clean process).
    function Invoke-Fresh([string] $Script) {
        $output = & $script:Pwsh -NoProfile -NonInteractive -Command $Script 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
    }
}

Describe 'The built module' {
    It 'has a manifest with explicit exports for both editions' {
        $manifest = Import-PowerShellDataFile (Join-Path $ModulePath 'ImageUpdater.PS.psd1')
        $manifest.CompatiblePSEditions | Should -Be @('Core', 'Desktop')
        $manifest.PowerShellVersion | Should -Be '5.1'
        $manifest.CmdletsToExport | Should -Not -Contain '*'
        $manifest.CmdletsToExport | Should -Contain 'Get-ArgoApplication'
        $manifest.FormatsToProcess | ForEach-Object { Join-Path $ModulePath $_ | Should -Exist }
        Join-Path $ModulePath 'bin/net8.0/ImageUpdater.PS.dll' | Should -Exist
        Join-Path $ModulePath 'bin/net472/ImageUpdater.PS.dll' | Should -Exist
        Join-Path $ModulePath 'en-US/ImageUpdater.PS.dll-Help.xml' | Should -Exist
    }

    It 'exports exactly the cmdlets the manifest lists' {
        $r = Invoke-Fresh "Import-Module '$ModulePath'; (Get-Command -Module ImageUpdater.PS).Name | Sort-Object"
        $r.ExitCode | Should -Be 0
        $exported = @($r.Output -split "`r?`n" | Where-Object { $_ })
        $manifest = Import-PowerShellDataFile (Join-Path $ModulePath 'ImageUpdater.PS.psd1')
        $exported | Should -Be @($manifest.CmdletsToExport | Sort-Object)
    }

    It 'loads its dependencies into its own AssemblyLoadContext even when another YamlDotNet is loaded first' {
        $nuget = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
        $otherYaml = Join-Path $nuget 'yamldotnet/13.7.1/lib/net7.0/YamlDotNet.dll'
        $otherYaml | Should -Exist
        $shared = Get-SharedDataPath
        $manifestDir = if ($shared) { Join-Path $shared 'real-world' } else { $null }
        if (-not $shared) {
            $manifestDir = Join-Path $TestDrive 'apps'
            $null = New-Item -ItemType Directory $manifestDir
            Set-Content (Join-Path $manifestDir 'a.yaml') "apiVersion: argoproj.io/v1alpha1`nkind: Application`nmetadata:`n  name: a`n  annotations:`n    argocd-image-updater.argoproj.io/image-list: web=nginx`n"
        }
        $script = @"
`$first = [System.Reflection.Assembly]::LoadFrom('$otherYaml')
Import-Module '$ModulePath'
`$apps = @(Get-ArgoApplication -Path '$manifestDir')
`$ours = [ImageUpdater.Loader.LoadContext]::Initialize()
`$alc = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$ours)
`$yaml = `$alc.Assemblies | Where-Object { `$_.GetName().Name -eq 'YamlDotNet' }
"first=" + `$first.GetName().Version
"ours=" + `$yaml.GetName().Version
"alc=" + `$alc.Name
"apps=" + `$apps.Count
"@
        $r = Invoke-Fresh $script
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output | Should -Match 'first=13\.0\.0\.0'
        $r.Output | Should -Match 'ours=16\.0\.0\.0'
        $r.Output | Should -Match 'alc=ImageUpdater.PS'
        $r.Output | Should -Match 'apps=[1-9]'
    }

    It 'does not load native libgit2 at import, and loads it from the module on first git use' -Skip:(-not $IsLinux) {
        $script = @"
Import-Module '$ModulePath'
`$null = Get-ArgoApplication -Path '$TestDrive' -ErrorAction SilentlyContinue
"before=" + [bool](Get-Content "/proc/`$PID/maps" | Select-String 'libgit2')
`$alc = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([ImageUpdater.Loader.LoadContext]::Initialize())
`$git = `$alc.LoadFromAssemblyName([System.Reflection.AssemblyName]::new('LibGit2Sharp'))
`$valid = `$git.GetType('LibGit2Sharp.Repository').GetMethod('IsValid').Invoke(`$null, @('$TestDrive'))
"valid=" + `$valid
"after=" + [bool](Get-Content "/proc/`$PID/maps" | Select-String 'libgit2')
(Get-Content "/proc/`$PID/maps" | Select-String 'libgit2' | Select-Object -First 1).Line
"@
        $r = Invoke-Fresh $script
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output | Should -Match 'before=False'
        $r.Output | Should -Match 'valid=False'
        $r.Output | Should -Match 'after=True'
        $r.Output | Should -Match ([regex]::Escape((Join-Path $ModulePath 'bin/net8.0/runtimes')))
    }

    It 're-imports with -Force and keeps its cmdlets' {
        $r = Invoke-Fresh "Import-Module '$ModulePath'; Import-Module '$ModulePath' -Force; (Get-Command Get-ArgoApplication).ModuleName"
        $r.ExitCode | Should -Be 0
        $r.Output.Trim() | Should -Be 'ImageUpdater.PS'
    }
}
