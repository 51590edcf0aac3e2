BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $manifest = Import-PowerShellDataFile (Join-Path (Get-TestModulePath) 'ImageUpdater.PS.psd1')
    $script:Cmdlets = @($manifest.CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Help for <Name>' -ForEach $Cmdlets {
    BeforeAll {
        $help = Get-Help $Name -Full
        $command = Get-Command $Name
    }

    It 'has a synopsis that is not the generated syntax' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$([regex]::Escape($Name))\s"
    }

    It 'has a description' {
        ($help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
    }

    It 'documents every parameter' {
        foreach ($parameter in $command.Parameters.Keys | Where-Object { $common -notcontains $_ }) {
            $doc = $help.Parameters.Parameter | Where-Object Name -EQ $parameter
            $doc | Should -Not -BeNullOrEmpty -Because "-$parameter must be in the help"
            ($doc.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$parameter needs a description"
        }
    }

    It 'has at least two examples with code' {
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        foreach ($example in $help.Examples.Example) { $example.Code | Should -Not -BeNullOrEmpty }
    }

    It 'names its inputs and outputs' {
        ($help.inputTypes | Out-String).Trim() | Should -Not -BeNullOrEmpty
        ($help.returnValues | Out-String).Trim() | Should -Not -BeNullOrEmpty
    }
}

Describe 'Default views' {
    It 'exist for every ImageUpdater type the format files name, and format without error' {
        $manifest = Import-PowerShellDataFile (Join-Path (Get-TestModulePath) 'ImageUpdater.PS.psd1')
        $types = foreach ($file in $manifest.FormatsToProcess) {
            ([xml] (Get-Content (Join-Path (Get-TestModulePath) $file) -Raw)).Configuration.ViewDefinitions.View.ViewSelectedBy.TypeName
        }
        $types | Should -Contain 'ImageUpdater.ArgoApplication'
        $types | Should -Contain 'ImageUpdater.AnnotationDiagnostic'
    }
}

Describe 'about_ImageUpdater' {
    It 'is shown by Get-Help and documents every annotation key' {
        $text = Get-Help about_ImageUpdater | Out-String
        foreach ($key in 'image-list', 'update-strategy', 'allow-tags', 'ignore-tags', 'platforms', 'force-update', 'pull-secret',
            'helm.image-name', 'helm.image-tag', 'helm.image-spec', 'kustomize.image-name', 'write-back-method', 'write-back-target',
            'git-branch', 'git-repository', 'git.commit-message', 'git.user', 'git.email') {
            $text | Should -Match ([regex]::Escape($key))
        }
    }
}
