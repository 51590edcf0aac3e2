# Invoke-ImageUpdater: the whole flow over manifests, the ECR emulator and real bare git repositories.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $script:EcrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    $seed = Join-Path $TestDrive 'ecr-seed.json'
    '{"repositories":[{"name":"team/web","images":[{"tags":["1.0.0"],"pushedAt":1700000100},{"tags":["1.1.0"],"pushedAt":1700000200},{"tags":["1.2.0"],"pushedAt":1700000300},{"tags":["2.0.0"],"pushedAt":1700000400}]},{"name":"team/api","images":[{"tags":["0.9.0"],"pushedAt":1700000100},{"tags":["0.9.1"],"pushedAt":1700000200}]}]}' | Set-Content $seed
    $script:Emulator = Start-Emulator ecr @('--seed', $seed, '--key', 'AKIAINVOKE0000000001:invoke-secret')
    $script:Aws = @{
        AccessKey   = 'AKIAINVOKE0000000001'
        SecretKey   = ConvertTo-SecureString 'invoke-secret' -AsPlainText -Force
        Region      = 'us-east-1'
        EndpointUrl = $Emulator.url
    }
    $env:AWS_EC2_METADATA_DISABLED = 'true'

    # A bare repository with apps/<name>/values.yaml per app, and one manifest per app pointing at it.
    function New-Fleet([string[]] $Apps, [string] $Manifests) {
        New-GitOpsFleet -Root (Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))) -Apps $Apps -Manifests $Manifests -Image "$EcrHost/team/web:1.x" -Project shop `
            -Values { param($App) "# $App`nimage:`n  repository: web`n  tag: 1.0.0 # pinned by the updater`n" }
    }
}

AfterAll {
    if ($Emulator) { $Emulator.Stop() }
}

Describe 'Invoke-ImageUpdater -Path' {
    It 'updates every application of two repositories with one commit per repository, then changes nothing the second time' {
        $manifests = Join-Path $TestDrive 'fleet1'
        $a = New-Fleet @('web-a', 'web-b') $manifests
        $b = New-Fleet @('web-c') $manifests
        $cache = Join-Path $TestDrive 'cache1'

        $results = Invoke-ImageUpdater -Path $manifests -WorkingDirectory $cache @Aws -SummaryVariable summary

        $summary.PSObject.TypeNames[0] | Should -Be 'ImageUpdater.ImageUpdateSummary'
        $results.Count | Should -Be 3
        $results | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ImageUpdater.ImageUpdateResult' }
        $results | ForEach-Object { $_.Status | Should -Be 'Updated'; $_.NewTag | Should -Be '1.2.0' }
        $summary.Applications | Should -Be 3
        $summary.ImagesChecked | Should -Be 3
        $summary.Updated | Should -Be 3
        $summary.Failed | Should -Be 0
        $summary.Commits | Should -Be 2
        $summary.Pushes | Should -Be 2
        $summary.Requests['ecr DescribeImages'] | Should -Be 1 -Because 'three applications share one repository, listed once'
        (Invoke-Git -C $a.Bare rev-list --count main) | Should -Be 2
        (Invoke-Git -C $b.Bare rev-list --count main) | Should -Be 2
        (Invoke-Git -C $a.Bare show main:apps/web-b/values.yaml) -join "`n" | Should -Be "# web-b`nimage:`n  repository: web`n  tag: 1.2.0 # pinned by the updater"

        $null = Invoke-ImageUpdater -Path $manifests -WorkingDirectory $cache @Aws -SummaryVariable again2
        $again2.Updated | Should -Be 0
        $again2.Unchanged | Should -Be 3
        $again2.Commits | Should -Be 0
        (Invoke-Git -C $a.Bare rev-list --count main) | Should -Be 2
    }

    It '-ThrottleLimit bounds the repositories listed at once, and images sharing a repository do not take the other slots' {
        # Six repositories, four applications each, 150 ms per request: with images holding slots (the old way) the first
        # slots would all wait on one repository; bounded by listing, three repositories are listed at once, each once.
        $slow = Start-Emulator ecr @('--key', 'AKIAINVOKE0000000001:invoke-secret', '--latency-ms', '150', '--images', 'team/r0=3', '--images', 'team/r1=3', '--images', 'team/r2=3', '--images', 'team/r3=3', '--images', 'team/r4=3', '--images', 'team/r5=3')
        try {
            $apps = 0..23 | ForEach-Object { 'svc{0:D2}' -f $_ }
            $manifests = Join-Path $TestDrive 'throttle-apps'
            $fleet = New-Fleet $apps $manifests
            # Applications in repository order r0 r0 r0 r0 r1 ...: the first four all need team/r0.
            foreach ($i in 0..23) {
                $file = Join-Path $manifests ('svc{0:D2}.yaml' -f $i)
                (Get-Content $file -Raw).Replace("$EcrHost/team/web:1.x", "$EcrHost/team/r$([math]::Floor($i / 4)):1.x") | Set-Content $file
            }
            $aws = $Aws.Clone(); $aws.EndpointUrl = $slow.url
            $null = Invoke-RestMethod -Method Delete "$($slow.url)__emulator/stats"

            $results = @(Invoke-ImageUpdater -Path $manifests -WorkingDirectory $fleet.Cache -ThrottleLimit 3 @aws -WhatIf | Where-Object { $_.PSObject.TypeNames[0] -eq 'ImageUpdater.ImageUpdateResult' })

            $stats = Invoke-RestMethod "$($slow.url)__emulator/stats"
            $stats.DescribeImages | Should -Be 6
            $stats.peakInFlight | Should -Be 3
            $results.Count | Should -Be 24
            @($results | Where-Object Status -EQ 'WhatIf').Count | Should -Be 24
            ($results | Select-Object -First 1).NewTag | Should -Be '1.0.2'
        }
        finally { $slow.Stop() }
    }

    It '-WhatIf commits nothing and reports what would change' {
        $manifests = Join-Path $TestDrive 'fleet2'
        $a = New-Fleet @('dry') $manifests
        $out = Invoke-ImageUpdater -Path $manifests -WorkingDirectory (Join-Path $TestDrive 'cache2') -WhatIf @Aws -SummaryVariable s
        ($out | Where-Object Status -EQ 'WhatIf').Count | Should -Be 1
        $s.WhatIf | Should -Be 1
        (Invoke-Git -C $a.Bare rev-list --count main) | Should -Be 1
    }

    It 'splits applications between shards without overlap' {
        $manifests = Join-Path $TestDrive 'fleet3'
        $null = New-Fleet @('s1', 's2', 's3', 's4', 's5', 's6') $manifests
        $counts = 0..2 | ForEach-Object { $null = Invoke-ImageUpdater -Path $manifests -Shard "$_/3" -WhatIf -WorkingDirectory (Join-Path $TestDrive "cache3-$_") @Aws -SummaryVariable s; $s.Applications }
        ($counts | Measure-Object -Sum).Sum | Should -Be 6
        { Invoke-ImageUpdater -Path $manifests -Shard '3/3' @Aws } | Should -Throw '*not a shard*'
    }

    It 'reports a failing image as a non-terminating error and still updates the others' {
        $manifests = Join-Path $TestDrive 'fleet4'
        $a = New-Fleet @('good') $manifests
        (Get-Content (Join-Path $manifests 'good.yaml') -Raw).Replace('name: good', 'name: missing-repo').Replace('team/web:1.x', 'team/nope:1.x') |
            Set-Content (Join-Path $manifests 'missing.yaml')
        $out = Invoke-ImageUpdater -Path $manifests -WorkingDirectory (Join-Path $TestDrive 'cache4') @Aws -ErrorVariable errs -ErrorAction SilentlyContinue -SummaryVariable summary
        $summary.Updated | Should -Be 1
        $summary.Failed | Should -Be 1
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].Exception.Message | Should -Match 'missing-repo'
        { Invoke-ImageUpdater -Path $manifests -WorkingDirectory (Join-Path $TestDrive 'cache4') @Aws -ErrorAction Stop } | Should -Throw
    }

    It '-PassThru also emits the candidates with their reasons, and the summary has a default view' {
        $manifests = Join-Path $TestDrive 'fleet5'
        $null = New-Fleet @('pt') $manifests
        $out = Invoke-ImageUpdater -Path $manifests -WhatIf -PassThru -WorkingDirectory (Join-Path $TestDrive 'cache5') @Aws -SummaryVariable s
        $candidate = $out | Where-Object { $_.PSObject.TypeNames[0] -eq 'ImageUpdater.ImageUpdateCandidate' }
        $candidate.NewTag | Should -Be '1.2.0'
        $candidate.Reason | Should -Not -BeNullOrEmpty
        ($s | Out-String) | Should -Match 'WouldUpdate\s*:\s*1'
    }

    It 'emits only results, so Export-Csv and ConvertTo-Json get one shape with Status by name; the summary is in -SummaryVariable and one information line' {
        $manifests = Join-Path $TestDrive 'fleet-shape'
        $null = New-Fleet @('shape-a', 'shape-b') $manifests
        $out = Invoke-ImageUpdater -Path $manifests -WhatIf -WorkingDirectory (Join-Path $TestDrive 'cache-shape') @Aws -SummaryVariable s -InformationVariable info 6>$null

        @($out).Count | Should -Be 2
        @($out | Where-Object { $_.PSObject.TypeNames[0] -ne 'ImageUpdater.ImageUpdateResult' }).Count | Should -Be 0
        $csv = Join-Path $TestDrive 'run.csv'
        $out | Export-Csv -Path $csv -NoTypeInformation
        $rows = @(Import-Csv $csv)
        $rows.Count | Should -Be 2 -Because 'no trailing empty row for a summary'
        $rows | ForEach-Object { $_.Application | Should -BeLike 'shape-*'; $_.Status | Should -Be 'WhatIf' }
        $json = $out | ConvertTo-Json -Depth 3 | ConvertFrom-Json
        @($json).Count | Should -Be 2
        $json | ForEach-Object { $_.Status | Should -Be 'WhatIf' }

        $s.PSObject.TypeNames[0] | Should -Be 'ImageUpdater.ImageUpdateSummary'
        $s.Applications | Should -Be 2
        $s.WhatIf | Should -Be 2
        ($s | ConvertTo-Json | ConvertFrom-Json).DurationSeconds | Should -BeOfType [double]
        $line = @($info | Where-Object { $_.Tags -contains 'ImageUpdateSummary' })
        $line.Count | Should -Be 1
        "$($line[0].MessageData)" | Should -Match '^Invoke-ImageUpdater: 2 application\(s\), 2 image\(s\): .*2 would update; 0 commit\(s\)'
    }
}

Describe 'Invoke-ImageUpdater and Find-EcrTag | Update-HelmImageTag: one confirmation rule, one answer' {
    BeforeAll {
        # One application to update, one whose image the Application's status shows not running.
        function New-MixedFleet([string] $Name) {
            $manifests = Join-Path $TestDrive $Name
            $fleet = New-Fleet @("$Name-live", "$Name-idle") $manifests
            Add-Content (Join-Path $manifests "$Name-idle.yaml") "status:`n  summary:`n    images:`n      - docker.io/library/redis:7"
            [pscustomobject]@{ Manifests = $manifests; Fleet = $fleet }
        }
        function Get-Results { $input | Where-Object { $_.PSObject.TypeNames[0] -eq 'ImageUpdater.ImageUpdateResult' } }
    }

    It 'treats a -WhatIf inherited from a calling advanced function as a what-if, not a declined prompt' {
        $mixed = New-MixedFleet 'inherit'
        function Invoke-Scheduled {
            [CmdletBinding(SupportsShouldProcess)]
            param($Manifests, $Cache, $Aws)
            Invoke-ImageUpdater -Path $Manifests -WorkingDirectory $Cache @Aws
        }

        $result = Invoke-Scheduled -Manifests $mixed.Manifests -Cache (Join-Path $TestDrive 'inherit-cache') -Aws $Aws -WhatIf | Get-Results | Where-Object Application -EQ 'inherit-live'

        $result.Status | Should -Be 'WhatIf'
        $result.Message | Should -Match '^What if: would commit apps/inherit-live/values.yaml to main'
        $result.Diff | Should -Match '(?m)^\+  tag: 1\.2\.0'
        (Invoke-Git -C $mixed.Fleet.Bare rev-list --count main) | Should -Be 1
    }

    It 'gives the same status, tags and message for the same candidate through both paths' {
        $mixed = New-MixedFleet 'same'

        $piped = Get-ArgoApplication -Path $mixed.Manifests | Find-EcrTag @Aws | Update-HelmImageTag -WorkingDirectory (Join-Path $TestDrive 'same-cache1') -WhatIf
        $invoked = Invoke-ImageUpdater -Path $mixed.Manifests -WorkingDirectory (Join-Path $TestDrive 'same-cache2') @Aws -WhatIf | Get-Results

        $fields = 'Application', 'Image', 'OldTag', 'NewTag', 'NewDigest', 'Method', 'Status', 'Message'
        $show = { param($results) ($results | Sort-Object Application | Select-Object $fields | ConvertTo-Json -Compress) }
        & $show $piped | Should -Be (& $show $invoked)
        ($invoked | Where-Object Application -EQ 'same-idle').Status | Should -Be 'Skipped'
        ($invoked | Where-Object Application -EQ 'same-idle').Message | Should -Match 'not running'
        ($invoked | Where-Object Application -EQ 'same-live').NewTag | Should -Be '1.2.0'
    }
}

Describe 'Invoke-ImageUpdater: errors, stops, batch commits, typos and what-if leave-behinds' {
    It 'names the application, the repository and the repository-relative file of a failed edit, and the failed row has its Target' {
        # A missing kustomization fails the edit (a missing helmvalues file is created, as upstream: issue 14 item 9).
        $manifests = Join-Path $TestDrive 'named'
        $fleet = New-Fleet @('named-good', 'named-broken') $manifests
        $file = Join-Path $manifests 'named-broken.yaml'
        (Get-Content $file -Raw).Replace('helmvalues:values.yaml', 'kustomization:missing.yaml') | Set-Content $file
        $cache = Join-Path $TestDrive 'named-cache'

        $out = Invoke-ImageUpdater -Path $manifests -WorkingDirectory $cache @Aws -ErrorVariable errs -ErrorAction SilentlyContinue

        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WriteBackFileNotFound,*'
        $errs[0].Exception.Message | Should -BeLike "Application 'argocd/named-broken': 'apps/named-broken/missing.yaml' on main of $($fleet.Url): The file 'apps/named-broken/missing.yaml' does not exist*"
        $errs[0].Exception.Message | Should -Not -BeLike "*$cache*"
        $failed = $out | Where-Object Application -EQ 'named-broken'
        $failed.Status | Should -Be 'Failed'
        $failed.Target | Should -Be 'apps/named-broken/missing.yaml'
    }

    It '-ErrorAction Stop: the write-back in flight finishes, its result is emitted and the summary set, then the error stops the command' {
        $manifests = Join-Path $TestDrive 'stop'
        $fleet = New-Fleet @('stop-good', 'stop-broken') $manifests
        $file = Join-Path $manifests 'stop-broken.yaml'
        (Get-Content $file -Raw).Replace('helmvalues:values.yaml', 'kustomization:missing.yaml') | Set-Content $file
        $got = [System.Collections.Generic.List[object]]::new()
        $caught = $null

        try { Invoke-ImageUpdater -Path $manifests -WorkingDirectory (Join-Path $TestDrive 'stop-cache') @Aws -ErrorAction Stop -SummaryVariable s | ForEach-Object { $got.Add($_) } }
        catch { $caught = $_ }

        $caught | Should -Not -BeNullOrEmpty -Because '-ErrorAction Stop still stops'
        $caught.FullyQualifiedErrorId | Should -BeLike 'WriteBackFileNotFound,*'
        $good = @($got | Where-Object Application -EQ 'stop-good')
        $good.Count | Should -Be 1 -Because 'the commit that was pushed is reported before the error'
        $good[0].Status | Should -Be 'Updated'
        $good[0].Commit | Should -Be (Invoke-Git -C $fleet.Bare rev-parse main)
        $s.Updated | Should -Be 1
        $s.Failed | Should -Be 1
    }

    It 'describes a batch of several applications in the commit subject, one line per change in the body' {
        $manifests = Join-Path $TestDrive 'batch'
        $fleet = New-Fleet @('batch-a', 'batch-b', 'batch-c') $manifests
        $null = Invoke-ImageUpdater -Path $manifests -WorkingDirectory (Join-Path $TestDrive 'batch-cache') @Aws
        $message = @(Invoke-Git -C $fleet.Bare log -1 '--format=%B' main)
        $message[0] | Should -Be 'build: update 3 images in 3 applications'
        $message[1] | Should -Be ''
        $message[2..4] | Should -Be @(
            "batch-a: updates image team/web tag '1.0.0' to '1.2.0'",
            "batch-b: updates image team/web tag '1.0.0' to '1.2.0'",
            "batch-c: updates image team/web tag '1.0.0' to '1.2.0'")
    }

    It 'warns at run time about a mistyped annotation key, with did you mean' {
        $manifests = Join-Path $TestDrive 'typo'
        $null = New-Fleet @('typo') $manifests
        $file = Join-Path $manifests 'typo.yaml'
        (Get-Content $file -Raw).Replace('write-back-method: git', "write-back-method: git`n    argocd-image-updater.argoproj.io/web.allow-tag: regexp:^1") | Set-Content $file

        $null = Invoke-ImageUpdater -Path $manifests -WorkingDirectory (Join-Path $TestDrive 'typo-cache') @Aws -WhatIf -WarningVariable warned 3>$null
        $found = Get-ArgoApplication -Path $manifests | Find-EcrTag @Aws -WarningVariable warnedFind 3>$null

        @($warned | Where-Object { "$_" -match 'web\.allow-tag' }).Count | Should -Be 1
        "$($warned | Where-Object { "$_" -match 'web\.allow-tag' })" | Should -Be "typo: Unknown annotation key 'argocd-image-updater.argoproj.io/web.allow-tag'; Argo CD Image Updater ignores it. Did you mean 'web.allow-tags'?"
        @($warnedFind | Where-Object { "$_" -match "Did you mean 'web.allow-tags'" }).Count | Should -Be 1
        $found.NewTag | Should -Be '1.2.0'
    }

    It '-WhatIf over a cache it already has leaves the cache folder as it was (no new files, no stray git lock files)' {
        $manifests = Join-Path $TestDrive 'whatif-cache'
        $null = New-Fleet @('wc-a', 'wc-b') $manifests
        $cache = Join-Path $TestDrive 'wc-cache'
        $null = Invoke-ImageUpdater -Path $manifests -WorkingDirectory $cache @Aws -WhatIf
        $list = { Get-ChildItem -LiteralPath $cache -Recurse -Force -File | Where-Object { $_.FullName -notmatch '[\\/]objects[\\/]' -and $_.Name -ne 'FETCH_HEAD' } | ForEach-Object { $_.FullName.Substring($cache.Length) } | Sort-Object }
        $before = & $list

        $again = Invoke-ImageUpdater -Path $manifests -WorkingDirectory $cache @Aws -WhatIf

        @($again | Where-Object Status -EQ 'WhatIf').Count | Should -Be 2
        $after = & $list
        $after | Should -Be $before
        @($after | Where-Object { $_ -like '*.lock' -and $_ -notmatch '^[\\/][^\\/]+\.lock$' }).Count | Should -Be 0 -Because 'only the one lock file per clone (the cross-process mutex) is kept'
    }
}

Describe 'Invoke-ImageUpdater -Kubeconfig with write-back-method git:secret:<ns>/<name>' {
    BeforeAll {
        $script:fleet = New-Fleet 'web', 'api' (Join-Path $TestDrive 'secret-manifests')
        $script:git = Start-Emulator git-http @('--root', (Split-Path $fleet.Bare), '--user', 'bot', '--password', 'KUBE-SECRET-TOKEN-1c9')
        $script:httpUrl = $git.url + 'gitops.git'
        $script:kube = Start-Emulator kube @('--secret', 'argocd/git-creds=username:bot', '--secret', 'argocd/git-creds=password:KUBE-SECRET-TOKEN-1c9',
            '--secret', 'shared/git-creds=username:bot', '--secret', 'shared/git-creds=password:KUBE-SECRET-TOKEN-1c9')
        foreach ($pair in @(@('web', 'secret:argocd/git-creds'), @('api', 'secret:shared/git-creds'))) {
            $app = @{
                apiVersion = 'argoproj.io/v1alpha1'; kind = 'Application'
                metadata   = @{ name = $pair[0]; namespace = 'argocd'; annotations = @{
                        'argocd-image-updater.argoproj.io/image-list'        = "web=$EcrHost/team/web:1.x"
                        'argocd-image-updater.argoproj.io/web.helm.image-tag' = 'image.tag'
                        'argocd-image-updater.argoproj.io/write-back-method' = "git:$($pair[1])"
                        'argocd-image-updater.argoproj.io/write-back-target' = 'helmvalues:values.yaml' } }
                spec       = @{ project = 'default'; destination = @{ name = 'in-cluster'; namespace = $pair[0] }
                    source = @{ repoURL = $httpUrl; path = "apps/$($pair[0])"; targetRevision = 'main'; helm = @{} } }
            }
            $null = Invoke-RestMethod -Method Post -Uri "$($kube.url)__emulator/applications" -ContentType 'application/json' -Body ($app | ConvertTo-Json -Depth 20)
        }
        $script:kubeconfig = Join-Path $TestDrive 'secret-kubeconfig'
        @"
apiVersion: v1
kind: Config
current-context: emulator
clusters:
- name: emulator
  cluster: {server: $($kube.url.TrimEnd('/'))}
contexts:
- name: emulator
  context: {cluster: emulator, user: reader}
users:
- name: reader
  user: {token: $($kube.token)}
"@ | Set-Content $kubeconfig
    }
    AfterAll { if ($git) { $git.Stop() }; if ($kube) { $kube.Stop() } }

    It 'pushes with the secret of the application''s own namespace and refuses another namespace''s secret until allowed' {
        $out = Invoke-ImageUpdater -Kubeconfig $kubeconfig -WorkingDirectory (Join-Path $TestDrive 'secret-cache') @Aws -Verbose -ErrorVariable errs -ErrorAction SilentlyContinue 4>&1
        $results = @($out | Where-Object { $_.PSObject.TypeNames[0] -eq 'ImageUpdater.ImageUpdateResult' })

        ($results | Where-Object Application -Like '*web').Status | Should -Be 'Updated'
        ($results | Where-Object Application -Like '*api').Status | Should -Be 'Failed'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GitSecretNotAllowed,*'
        $errs[0].Exception.Message | Should -Match "-AllowGitSecret 'secret:shared/git-creds'"
        (Invoke-Git -C $fleet.Bare show main:apps/web/values.yaml) -join "`n" | Should -Match 'tag: 1\.2\.0'
        ($out | Out-String) + ($errs | Out-String) | Should -Not -Match 'KUBE-SECRET-TOKEN'
        Get-ChildItem (Join-Path $TestDrive 'secret-cache') -Recurse -File -Filter config | ForEach-Object { Get-Content $_.FullName -Raw } | Should -Not -Match 'KUBE-SECRET-TOKEN'

        $allowed = Invoke-ImageUpdater -Kubeconfig $kubeconfig -WorkingDirectory (Join-Path $TestDrive 'secret-cache') @Aws -AllowGitSecret 'secret:shared/*' |
            Where-Object { $_.PSObject.TypeNames[0] -eq 'ImageUpdater.ImageUpdateResult' -and $_.Application -like '*api' }
        $allowed.Status | Should -Be 'Updated'
        (Invoke-Git -C $fleet.Bare show main:apps/api/values.yaml) -join "`n" | Should -Match 'tag: 1\.2\.0'
    }
}
