# Issue 15's remaining items, through the public cmdlets: shared values (item 10), a block scalar ending a file (item 16),
# and cancelling a git call blocked on a silent http server (item 13).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    # An Application manifest whose web image takes its tag from $TagKey in apps/<name>/values.yaml of $RepoUrl (git write-back).
    function New-GitApp([string] $Name, [string] $RepoUrl, [string] $TagKey) {
        $file = Join-Path $TestDrive ("$Name-" + [guid]::NewGuid().ToString('N').Substring(0, 6) + '.yaml')
        @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: $Name
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: web=$Image
    argocd-image-updater.argoproj.io/web.helm.image-tag: $TagKey
    argocd-image-updater.argoproj.io/write-back-method: git
    argocd-image-updater.argoproj.io/write-back-target: 'helmvalues:values.yaml'
spec:
  project: default
  source:
    repoURL: $RepoUrl
    path: apps/$Name
    targetRevision: main
    helm: {}
"@ | Set-Content $file
        $file
    }

    # A bare repository whose apps/<app>/values.yaml holds $Text.
    function New-Repo([hashtable] $Files) {
        $root = Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))
        $bare = Join-Path $root 'gitops.git'
        $seed = Join-Path $root 'seed'
        Invoke-Git init --quiet --bare --initial-branch=main $bare | Out-Null
        Invoke-Git clone --quiet $bare $seed 2>$null | Out-Null
        foreach ($path in $Files.Keys) {
            $null = New-Item -ItemType Directory (Split-Path (Join-Path $seed $path)) -Force
            [IO.File]::WriteAllText((Join-Path $seed $path), $Files[$path])
        }
        Invoke-Git -C $seed checkout --quiet -b main | Out-Null
        Invoke-Git -C $seed add -A | Out-Null
        Invoke-Git -C $seed -c user.name=Seed -c user.email=seed@example.com commit --quiet -m seed | Out-Null
        Invoke-Git -C $seed push --quiet origin main 2>$null | Out-Null
        [pscustomobject]@{ Bare = $bare; Url = [Uri]::new($bare).AbsoluteUri; Cache = Join-Path $root 'cache' }
    }

    function Get-Results($Out) { @($Out | Where-Object { $_.PSObject.TypeNames[0] -eq 'ImageUpdater.ImageUpdateResult' }) }

    $script:Registry = Start-Emulator capture-registry @('--auth', 'none', '--tags', '["1.0.0","1.1.0"]')
    $script:Image = "$($Registry.host)/team/web"
    $script:Merged = "defaults: &defaults`n  repository: nginx`n  tag: 1.0.0`napp1:`n  <<: *defaults`napp2:`n  <<: *defaults`n"
}

AfterAll {
    if ($Registry) { $Registry.Stop() }
}

Describe 'Item 10: a shared value is overridden, refused or (when allowed) set, and never silently' {
    It 'gives the application an overriding key where a merge key brings the value, warns, and leaves the shared value' {
        $repo = New-Repo @{ 'apps/a/values.yaml' = $Merged }
        $app = New-GitApp 'a' $repo.Url 'app1.tag'

        $out = Invoke-ImageUpdater -Path $app -WorkingDirectory $repo.Cache -WarningVariable warnings -WarningAction SilentlyContinue
        $result = Get-Results $out
        $result.Status | Should -Be 'Updated'
        $result.OverrideKeys | Should -Be @('app1.tag')
        $result.SharedPlaces | Should -Contain 'defaults.tag'
        $result.SharedPlaces | Should -Contain 'app2.tag'
        (Invoke-Git -C $repo.Bare show main:apps/a/values.yaml) -join "`n" |
            Should -BeExactly "defaults: &defaults`n  repository: nginx`n  tag: 1.0.0`napp1:`n  <<: *defaults`n  tag: 1.1.0`napp2:`n  <<: *defaults"
        @($warnings | Where-Object { "$_" -match 'merge key shared with .*app2\.tag.*overriding key' }).Count | Should -Be 1
        @($warnings | Where-Object { "$_" -match 'had no app1\.tag' }).Count | Should -Be 0
    }

    It 'refuses a value shared through an alias by default and sets it with -AllowSharedValueEdit, with a warning' {
        $aliased = "defaults: &defaults`n  tag: 1.0.0`napp1: *defaults`n"
        $repo = New-Repo @{ 'apps/a/values.yaml' = $aliased }
        $app = New-GitApp 'a' $repo.Url 'app1.tag'

        $refused = Get-Results (Invoke-ImageUpdater -Path $app -WorkingDirectory $repo.Cache -ErrorVariable errs -ErrorAction SilentlyContinue)
        $refused.Status | Should -Be 'Failed'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WriteBackSharedValue,*'
        $errs[0].Exception.Message | Should -Match '-AllowSharedValueEdit'
        (Invoke-Git -C $repo.Bare show main:apps/a/values.yaml) -join "`n" | Should -BeExactly $aliased.TrimEnd("`n")

        $allowed = Get-Results (Invoke-ImageUpdater -Path $app -WorkingDirectory $repo.Cache -AllowSharedValueEdit -WarningVariable warnings -WarningAction SilentlyContinue)
        $allowed.Status | Should -Be 'Updated'
        $allowed.SharedPlaces | Should -Be @('defaults.tag')
        (Invoke-Git -C $repo.Bare show main:apps/a/values.yaml) -join "`n" | Should -BeExactly "defaults: &defaults`n  tag: 1.1.0`napp1: *defaults"
        @($warnings | Where-Object { "$_" -match 'shared through an anchor, alias or merge key: defaults\.tag changed too' }).Count | Should -Be 1
    }

    It 'warns on the -Path route, naming every other place the edit changes' {
        $file = Join-Path $TestDrive 'shared-values.yaml'
        [IO.File]::WriteAllText($file, $Merged)
        $result = Update-HelmImageTag -Path $file -ImageTagKey app1.tag -Tag 2.0.0 -PassThru -WarningVariable warnings -WarningAction SilentlyContinue
        $result.Status | Should -Be 'Updated'
        $result.SharedPlaces | Should -Contain 'app2.tag'
        [IO.File]::ReadAllText($file) | Should -BeExactly $Merged.Replace('tag: 1.0.0', 'tag: 2.0.0')
        @($warnings | Where-Object { "$_" -match 'shared through an anchor, alias or merge key: .*app2\.tag.* changed too' }).Count | Should -Be 1
    }
}

Describe 'Item 16: a block scalar without a final line break keeps its value when a key is created after it' {
    It 'writes exactly the new key and a strip indicator, and the script reads the same' {
        $file = Join-Path $TestDrive 'block-values.yaml'
        [IO.File]::WriteAllBytes($file, [Text.Encoding]::UTF8.GetBytes("image:`n  repository: nginx`n  script: |`n    echo hi"))
        $null = Update-HelmImageTag -Path $file -Tag 1.2.3 -WarningAction SilentlyContinue
        [IO.File]::ReadAllBytes($file) | Should -Be ([Text.Encoding]::UTF8.GetBytes("image:`n  repository: nginx`n  script: |-`n    echo hi`n  tag: 1.2.3"))
    }
}

Describe 'Item 13 over http: stopping a run blocked on a silent git server ends it at once' {
    It 'ends Invoke-ImageUpdater within about two seconds of Stop, long before the 60 s timeout' {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $ps = $null
        try {
            $url = "http://127.0.0.1:$($listener.LocalEndpoint.Port)/team/apps.git"
            $app = New-GitApp 'silent' $url 'image.tag'
            $ps = [powershell]::Create()
            $null = $ps.AddScript("Import-Module '$(Get-TestModulePath)'; Invoke-ImageUpdater -Path '$app' -WorkingDirectory '$(Join-Path $TestDrive 'silent-cache')' -GitCredential ([pscredential]::new('bot', (ConvertTo-SecureString 'token' -AsPlainText -Force)))")
            $running = $ps.BeginInvoke()
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while (-not $listener.Pending() -and $clock.Elapsed.TotalSeconds -lt 60) { Start-Sleep -Milliseconds 100 }
            $listener.Pending() | Should -BeTrue -Because 'the run should be waiting for the silent server'
            Start-Sleep -Milliseconds 500
            $running.IsCompleted | Should -BeFalse

            $stop = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $stop.Stop()

            $stop.Elapsed.TotalSeconds | Should -BeLessThan 3
            # The git call itself ended (not only the pipeline): the client closes its connection to the silent server.
            $socket = $listener.AcceptSocket()
            $buffer = [byte[]]::new(65536)
            $closed = $false
            $deadline = [DateTime]::UtcNow.AddSeconds(3)
            while (-not $closed -and [DateTime]::UtcNow -lt $deadline) {
                if ($socket.Poll(100000, [Net.Sockets.SelectMode]::SelectRead)) { $closed = $socket.Receive($buffer) -eq 0 }
            }
            $socket.Dispose()
            $closed | Should -BeTrue -Because 'the fetch should have dropped its connection within about two seconds of Stop'
        }
        finally {
            if ($ps) { $ps.Dispose() }
            $listener.Stop()
        }
    }
}
