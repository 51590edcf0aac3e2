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

    It 'shows only syntax forms a reader can use: each names a parameter the others lack' {
        $items = @($help.Syntax.SyntaxItem)
        if ($items.Count -gt 1) {
            foreach ($item in $items) {
                $own = @($item.Parameter.Name | Where-Object { $parameterName = $_; @($items | Where-Object { $_.Parameter.Name -notcontains $parameterName }).Count -gt 0 })
                $own.Count | Should -BeGreaterThan 0 -Because "a syntax form of $Name with only shared parameters tells a reader nothing"
            }
        }
    }

    It 'has examples (at least two), each with code' {
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        foreach ($example in $help.Examples.Example) { $example.Code | Should -Not -BeNullOrEmpty }
    }

    It 'has a HelpUri (Get-Help -Online) at its docs page in the project repository' {
        $project = (Import-PowerShellDataFile (Join-Path (Get-TestModulePath) 'ImageUpdater.PS.psd1')).PrivateData.PSData.ProjectUri
        $command.HelpUri | Should -Be "$project/blob/main/docs/$Name.md"
        Test-Path (Join-Path (Get-RepositoryRoot) "docs/$Name.md") | Should -BeTrue
    }

    It 'has RELATED LINKS: the online version first, then related topics' {
        $links = @($help.relatedLinks.navigationLink)
        $links.Count | Should -BeGreaterOrEqual 2
        $links[0].uri | Should -Be $command.HelpUri
        foreach ($link in $links | Select-Object -Skip 1) { $link.linkText | Should -Not -BeNullOrEmpty }
        ($help | Out-String) | Should -Match 'RELATED LINKS\s+Online Version: https://'
    }

    It 'has a description in paragraphs, bullets apart, with no run-together spacing' {
        $paras = @($help.Description | ForEach-Object Text)
        foreach ($para in $paras) {
            $para.Length | Should -BeLessOrEqual 1200 -Because 'a long description is broken into paragraphs'
            $para | Should -Not -Match '\S {2,}\S' -Because 'lines of one paragraph are joined with one space'
            $para | Should -Not -Match '\S\s+- \S.*\s- \S' -Because 'each bullet is a paragraph of its own'
        }
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
            'git-branch', 'git-repository', 'git.commit-message', 'git.user', 'git.email', 'git.pull-request') {
            $text | Should -Match ([regex]::Escape($key))
        }
    }
}

Describe 'Find-EcrTag syntax in help' {
    It 'lists the repository form first, then the Application form, and not the dispatch set' {
        $items = @((Get-Help Find-EcrTag -Full).Syntax.SyntaxItem)
        $items.Count | Should -Be 2
        $items[0].Parameter.Name | Should -Contain 'Repository'
        $items[1].Parameter.Name | Should -Contain 'Application'
    }
}
