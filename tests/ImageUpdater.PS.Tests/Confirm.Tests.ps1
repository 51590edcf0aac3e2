# -Confirm as a person meets it: a real console host in a child pwsh reads the answer from its standard input.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    # Runs Update-HelmImageTag -Confirm on $File in a fresh pwsh that answers $Answer; returns what the console showed.
    function Invoke-Confirmed([string] $File, [string] $Answer) {
        $script = Join-Path $TestDrive 'confirm.ps1'
        @"
Import-Module '$(Get-TestModulePath)'
`$r = Update-HelmImageTag -Path '$File' -Tag 1.4.7 -Confirm -PassThru
"STATUS=`$(`$r.Status)"
"MESSAGE=`$(`$r.Message)"
"@ | Set-Content $script
        $text = $Answer | & (Get-PwshPath) -NoProfile -File $script 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $text
        $text
    }
}

Describe 'The -Confirm prompt says what will change' {
    BeforeEach {
        $script:file = Join-Path $TestDrive 'values.yaml'
        [IO.File]::WriteAllText($file, "image:`n  repository: nginx`n  tag: 1.4.2 # pinned`n")
    }

    It 'shows the diff of the file; No leaves the file byte-identical and reads Skipped, as on the git path' {
        $text = Invoke-Confirmed $file 'n'
        # The console wraps the question at its width; the diff lines are short enough to stay whole.
        ($text -replace '\s+', ' ') | Should -Match ([regex]::Escape("Update '$file' as this diff shows?"))
        $text | Should -Match ([regex]::Escape("--- $file"))
        $text | Should -Match '(?m)^-  tag: 1\.4\.2 # pinned'
        $text | Should -Match '(?m)^\+  tag: 1\.4\.7 # pinned'
        [IO.File]::ReadAllText($file) | Should -Be "image:`n  repository: nginx`n  tag: 1.4.2 # pinned`n"
        $text | Should -Match 'STATUS=Skipped'
        $text | Should -Match 'MESSAGE=Declined at the confirmation prompt\.'
    }

    It 'Yes writes exactly the change the diff showed' {
        $text = Invoke-Confirmed $file 'y'
        $text | Should -Match 'STATUS=Updated'
        [IO.File]::ReadAllText($file) | Should -Be "image:`n  repository: nginx`n  tag: 1.4.7 # pinned`n"
    }
}
