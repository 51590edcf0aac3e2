# Git write-back over SSH against Debian's real OpenSSH server (openssh-server), started on a loopback port with a throw-away
# host key and authorized key; git-upload-pack/git-receive-pack run from the login shell. Skipped without sshd, failed in CI.
BeforeDiscovery {
    $script:Sshd = @('/usr/sbin/sshd', (Get-Command sshd -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1 -ExpandProperty Source)) |
        Where-Object { $_ -and (Test-Path $_) } | Select-Object -First 1
    $script:SkipSsh = -not $Sshd -and $env:CI -ne 'true'
    if ($SkipSsh) { Write-Warning 'GitSsh tests skipped: sshd not found (apt-get install openssh-server).' }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    function New-Key([string] $Path) {
        & ssh-keygen -q -t ed25519 -N '' -C '' -f $Path
        if ($LASTEXITCODE -ne 0) { throw "ssh-keygen $Path failed" }
        $Path
    }

    $sshd = @('/usr/sbin/sshd', (Get-Command sshd -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1 -ExpandProperty Source)) |
        Where-Object { $_ -and (Test-Path $_) } | Select-Object -First 1
    if (-not $sshd) {
        if (Test-IsCI) { throw 'sshd is not installed: CI needs openssh-server (.ci/run installs it).' }
        return
    }

    $script:SshRoot = Join-Path $TestDrive 'ssh'
    $null = New-Item -ItemType Directory $SshRoot
    $hostKey = New-Key (Join-Path $SshRoot 'host_key')
    $script:UserKey = New-Key (Join-Path $SshRoot 'user_key')
    $script:OtherKey = New-Key (Join-Path $SshRoot 'other_key')
    $script:LockedKey = Join-Path $SshRoot 'locked_key'
    & ssh-keygen -q -t ed25519 -N 'correct horse 7' -C '' -f $LockedKey
    if ($LASTEXITCODE -ne 0) { throw 'ssh-keygen locked_key failed' }
    (Get-Content "$UserKey.pub"), (Get-Content "$LockedKey.pub") | Set-Content (Join-Path $SshRoot 'authorized_keys')
    # sshd as root wants its privilege separation directory.
    if ((& id -u) -eq '0' -and -not (Test-Path /run/sshd)) { $null = New-Item -ItemType Directory /run/sshd }

    # Starts sshd on a free loopback port (extra lines go at the end of its configuration); returns Port, Process and Log.
    function Start-Sshd([string] $Name, [string[]] $Extra = @()) {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $config = Join-Path $SshRoot "$Name.sshd_config"
        @(
            "Port $port", 'ListenAddress 127.0.0.1', "HostKey $hostKey", "AuthorizedKeysFile $(Join-Path $SshRoot 'authorized_keys')",
            'StrictModes no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PubkeyAuthentication yes',
            'PermitRootLogin prohibit-password', 'UsePAM no', "PidFile $(Join-Path $SshRoot "$Name.pid")"
        ) + $Extra | Set-Content $config
        $psi = [System.Diagnostics.ProcessStartInfo]::new($sshd)
        foreach ($a in '-D', '-e', '-f', $config) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($psi)
        $log = $process.StandardError.ReadToEndAsync()
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while ($true) {
            $client = [System.Net.Sockets.TcpClient]::new()
            try { $client.Connect('127.0.0.1', $port); break } catch { } finally { $client.Dispose() }
            if ($process.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw "sshd did not start: $($log.Result)" }
            Start-Sleep -Milliseconds 100
        }
        [pscustomobject]@{ Port = $port; Process = $process; Log = $log }
    }

    $script:Server = Start-Sshd 'git'
    # Authenticates, then never starts git: the connection stays alive and silent.
    $script:Silent = Start-Sshd 'silent' @('ForceCommand sleep 120')
    $script:Port = $Server.Port
    $script:SshdLog = $Server.Log
    $script:KnownHosts = Join-Path $SshRoot 'known_hosts'
    $hostLine = (Get-Content "$hostKey.pub").Split(' ')[0..1] -join ' '
    "[127.0.0.1]:$($Server.Port) $hostLine", "[127.0.0.1]:$($Silent.Port) $hostLine" | Set-Content $KnownHosts
    $script:EmptyKnownHosts = Join-Path $SshRoot 'known_hosts.empty'
    '' | Set-Content $EmptyKnownHosts
    $script:User = [Environment]::UserName

    # A bare repository with apps/<name>/values.yaml, its ssh:// URL, and a manifest per app.
    function New-SshRepository([string[]] $Apps, [int] $Port = $Server.Port) {
        $user = $User
        New-GitOpsFleet -Root (Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))) -Apps $Apps -Image "$EcrHost/team/web:1.x" `
            -RepoUrl { param($Bare) "ssh://$user@127.0.0.1:$Port$Bare" }.GetNewClosure()
    }

    function New-Candidate([string] $Manifest) {
        $app = Get-ArgoApplication -Path $Manifest
        $type = $app.PSObject.BaseObject.GetType().Assembly.GetType('ImageUpdater.Core.Updating.ImageUpdateCandidate', $true)
        $candidate = [Activator]::CreateInstance($type, @($app.PSObject.BaseObject, $app.Images[0]))
        $candidate.CurrentTag = '1.0.0'
        $candidate.NewTag = '1.1.0'
        $candidate.UpdateNeeded = $true
        $candidate
    }

    function Get-Tag($Repo, [string] $App) { ((Invoke-Git -C $Repo.Bare show "main:apps/$App/values.yaml") -join "`n") -replace '(?s).*tag: ', '' }

    $script:EcrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    $seedFile = Join-Path $TestDrive 'ecr-seed.json'
    '{"repositories":[{"name":"team/web","images":[{"tags":["1.0.0"],"pushedAt":1700000100},{"tags":["1.1.0"],"pushedAt":1700000200}]}]}' | Set-Content $seedFile
    $script:Emulator = Start-Emulator ecr @('--seed', $seedFile, '--key', 'AKIASSH0000000000001:ssh-secret')
    $script:Aws = @{
        AccessKey   = 'AKIASSH0000000000001'
        SecretKey   = ConvertTo-SecureString 'ssh-secret' -AsPlainText -Force
        Region      = 'us-east-1'
        EndpointUrl = $Emulator.url
    }
    $env:AWS_EC2_METADATA_DISABLED = 'true'
}

AfterAll {
    if ($Emulator) { $Emulator.Stop() }
    foreach ($server in $Server, $Silent) {
        if ($server -and -not $server.Process.HasExited) { $server.Process.Kill(); $null = $server.Process.WaitForExit(5000) }
    }
    Remove-Item Env:IMAGEUPDATER_GIT_SSH_KNOWN_HOSTS -ErrorAction SilentlyContinue
}

Describe 'Git write-back over SSH (real sshd on loopback)' -Skip:$SkipSsh {
    BeforeEach { $env:IMAGEUPDATER_GIT_SSH_KNOWN_HOSTS = $KnownHosts }

    It 'Update-HelmImageTag -SshKeyPath pushes with the key, checking the host against known_hosts' {
        $repo = New-SshRepository 'web'

        $result = New-Candidate (Join-Path $repo.Manifests 'web.yaml') | Update-HelmImageTag -WorkingDirectory $repo.Cache -SshKeyPath $UserKey

        $result.Status | Should -Be 'Updated' -Because $result.Message
        $result.Repository | Should -Be $repo.Url
        $result.Commit | Should -Be (Invoke-Git -C $repo.Bare rev-parse main)
        Get-Tag $repo 'web' | Should -Be '1.1.0'
        $SshdLog.IsCompleted | Should -BeFalse
    }

    It 'Invoke-ImageUpdater -SshKeyPath updates every application of an ssh repository in one commit' {
        $repo = New-SshRepository 'web-a', 'web-b'

        $out = Invoke-ImageUpdater -Path $repo.Manifests -WorkingDirectory $repo.Cache -SshKeyPath $UserKey @Aws -ErrorVariable errs -ErrorAction SilentlyContinue

        $errs | Should -BeNullOrEmpty
        $results = @($out | Where-Object { $_.PSObject.TypeNames[0] -eq 'ImageUpdater.ImageUpdateResult' })
        $results.Status | Should -Be @('Updated', 'Updated')
        @($results.Commit | Select-Object -Unique).Count | Should -Be 1
        Get-Tag $repo 'web-a' | Should -Be '1.1.0'
        Get-Tag $repo 'web-b' | Should -Be '1.1.0'
    }

    It 'refuses a server whose host key is not in known_hosts, and pushes nothing' {
        $repo = New-SshRepository 'web'
        $env:IMAGEUPDATER_GIT_SSH_KNOWN_HOSTS = $EmptyKnownHosts
        $before = Invoke-Git -C $repo.Bare rev-parse main

        $result = New-Candidate (Join-Path $repo.Manifests 'web.yaml') | Update-HelmImageTag -WorkingDirectory $repo.Cache -SshKeyPath $UserKey -ErrorVariable errs -ErrorAction SilentlyContinue

        $result.Status | Should -Be 'Failed'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GitSshHostKeyUnknown*'
        $errs[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $errs[0].Exception.Message | Should -Match 'not in known_hosts'
        $errs[0].Exception.Message | Should -Match ([regex]::Escape($repo.Url))
        Invoke-Git -C $repo.Bare rev-parse main | Should -Be $before
        Get-Content $EmptyKnownHosts -Raw | Should -Not -Match 'ssh-ed25519'
    }

    It 'reports a key the server does not accept as AuthenticationError naming the key, and pushes nothing' {
        $repo = New-SshRepository 'web'
        $before = Invoke-Git -C $repo.Bare rev-parse main

        $result = New-Candidate (Join-Path $repo.Manifests 'web.yaml') | Update-HelmImageTag -WorkingDirectory $repo.Cache -SshKeyPath $OtherKey -ErrorVariable errs -ErrorAction SilentlyContinue

        $result.Status | Should -Be 'Failed'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GitAuthenticationFailed*'
        $errs[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $errs[0].Exception.Message | Should -Match "^Authentication failed for '.*': the server refused the SSH key from -SshKeyPath"
        $errs[0].Exception.Message | Should -Match 'Permission denied \(publickey\)'
        $errs[0].Exception.Message | Should -Not -Match 'BEGIN OPENSSH'
        Invoke-Git -C $repo.Bare rev-parse main | Should -Be $before
    }

    It 'Ctrl+C stops a fetch from a server that never answers at once, and releases the cache lock' {
        $repo = New-SshRepository 'web' -Port $Silent.Port
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($Module, $Manifests, $Cache, $Key, $KnownHosts, $Aws)
                $env:IMAGEUPDATER_GIT_SSH_KNOWN_HOSTS = $KnownHosts
                Import-Module $Module
                Invoke-ImageUpdater -Path $Manifests -WorkingDirectory $Cache -SshKeyPath $Key @Aws
            }).AddArgument((Get-TestModulePath)).AddArgument($repo.Manifests).AddArgument($repo.Cache).AddArgument($UserKey).AddArgument($KnownHosts).AddArgument($Aws)
        $async = $ps.BeginInvoke()
        try {
            # ssh writes its process id when it starts: from then on the fetch waits on the silent server.
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (-not (Get-ChildItem $repo.Cache -Recurse -Filter 'imageupdater-ssh.pid' -ErrorAction SilentlyContinue)) {
                if ($async.IsCompleted -or [DateTime]::UtcNow -gt $deadline) { throw "The run did not reach the fetch: $($ps.Streams.Error)" }
                Start-Sleep -Milliseconds 100
            }
            Start-Sleep -Seconds 2
            $async.IsCompleted | Should -BeFalse

            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()

            $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
            $lock = Get-ChildItem $repo.Cache -Filter '*.lock' | Select-Object -First 1
            $stream = [System.IO.File]::Open($lock.FullName, 'Open', 'ReadWrite', 'None')
            $stream.Dispose()
        }
        finally {
            $ps.Dispose()
        }
    }

    It 'uses a key with -SshKeyPassphrase through a private ssh-agent, and ends that agent' {
        $repo = New-SshRepository 'web'
        $agentsBefore = @(Get-Process ssh-agent -ErrorAction SilentlyContinue).Id

        $result = New-Candidate (Join-Path $repo.Manifests 'web.yaml') | Update-HelmImageTag -WorkingDirectory $repo.Cache -SshKeyPath $LockedKey -SshKeyPassphrase (ConvertTo-SecureString 'correct horse 7' -AsPlainText -Force)

        $result.Status | Should -Be 'Updated' -Because $result.Message
        Get-Tag $repo 'web' | Should -Be '1.1.0'
        @(Get-Process ssh-agent -ErrorAction SilentlyContinue | Where-Object Id -NotIn $agentsBefore) | Should -BeNullOrEmpty
    }

    It 'reports a wrong -SshKeyPassphrase without showing it, and pushes nothing' {
        $repo = New-SshRepository 'web'
        $before = Invoke-Git -C $repo.Bare rev-parse main

        $result = New-Candidate (Join-Path $repo.Manifests 'web.yaml') | Update-HelmImageTag -WorkingDirectory $repo.Cache -SshKeyPath $LockedKey -SshKeyPassphrase (ConvertTo-SecureString 'wrong-9c1e' -AsPlainText -Force) -ErrorVariable errs -ErrorAction SilentlyContinue

        $result.Status | Should -Be 'Failed'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'SshPassphraseWrong*'
        $errs[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        ($errs[0] | Out-String) + $errs[0].Exception.ToString() | Should -Not -Match 'wrong-9c1e'
        Invoke-Git -C $repo.Bare rev-parse main | Should -Be $before
    }
}
