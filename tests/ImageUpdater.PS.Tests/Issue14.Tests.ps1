# Issue 14 ("never silently wrong"): what is written, and what is said, when keys default, aliases are implicit, keys are mistyped,
# no tag qualifies, and several containers share an image. Real bare git repositories and the ECR emulator.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $script:EcrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    $script:DigestA1 = 'sha256:' + ('a1' * 32)
    $script:DigestA2 = 'sha256:' + ('a2' * 32)
    $script:DigestB = 'sha256:' + ('b0' * 32)
    $seedFile = Join-Path $TestDrive 'ecr-seed.json'
    @"
{"repositories":[
 {"name":"team/web","images":[{"tags":["1.0.0"],"pushedAt":1700000100},{"tags":["1.1.0"],"pushedAt":1700000200}]},
 {"name":"nginx","images":[{"tags":["1.0.0"],"pushedAt":1700000100},{"tags":["1.1.0"],"pushedAt":1700000200}]},
 {"name":"team/multi","images":[{"tags":["tag-a"],"pushedAt":1700000300,"digest":"$DigestA2"},{"tags":["tag-b"],"pushedAt":1700000400,"digest":"$DigestB"}]}
]}
"@ | Set-Content $seedFile
    $script:ecr = Start-Emulator ecr @('--seed', $seedFile, '--key', 'AKIAISSUE14000000001:issue14-secret')
    $script:aws = @{ AccessKey = 'AKIAISSUE14000000001'; SecretKey = (ConvertTo-SecureString 'issue14-secret' -AsPlainText -Force); Region = 'us-east-1'; EndpointUrl = $ecr.url }
    $env:AWS_EC2_METADATA_DISABLED = 'true'

    # A bare repository holding apps/web/<file>; returns its paths and file:// URL.
    function New-GitOpsRepository([string] $Values, [string] $File = 'values.yaml') {
        $root = Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))
        $bare = Join-Path $root 'remote/gitops.git'
        $seed = Join-Path $root 'seed'
        Invoke-Git init --quiet --bare --initial-branch=main $bare | Out-Null
        Invoke-Git clone --quiet $bare $seed 2>$null | Out-Null
        $null = New-Item -ItemType Directory (Join-Path $seed 'apps/web') -Force
        [IO.File]::WriteAllText((Join-Path $seed "apps/web/$File"), $Values)
        Invoke-Git -C $seed checkout --quiet -b main | Out-Null
        Invoke-Git -C $seed add -A | Out-Null
        Invoke-Git -C $seed -c user.name=Seed -c user.email=seed@example.com commit --quiet -m seed | Out-Null
        Invoke-Git -C $seed push --quiet origin main 2>$null | Out-Null
        [pscustomobject]@{ Root = $root; Bare = $bare; Seed = $seed; Url = [System.Uri]::new($bare, [System.UriKind]::Absolute).AbsoluteUri; Cache = (Join-Path $root 'cache'); Manifests = (Join-Path $root 'manifests') }
    }

    # An Application manifest 'web' (git write-back to apps/web of $Repo) with exactly the annotations given, and optional live images.
    function New-AppManifest($Repo, [hashtable] $Annotations, [string[]] $LiveImages) {
        $lines = @('apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata:', '  name: web', '  namespace: argocd', '  annotations:')
        foreach ($k in $Annotations.Keys | Sort-Object) { $lines += "    argocd-image-updater.argoproj.io/${k}: '$($Annotations[$k])'" }
        $lines += 'spec:', '  project: default', '  source:', "    repoURL: $($Repo.Url)", '    path: apps/web', '    targetRevision: main', '    helm: {}'
        if ($LiveImages) { $lines += 'status:', '  summary:', '    images:'; $lines += $LiveImages | ForEach-Object { "      - $_" } }
        $null = New-Item -ItemType Directory $Repo.Manifests -Force
        $file = Join-Path $Repo.Manifests 'web.yaml'
        Set-Content -Path $file -Value ($lines -join "`n")
        $file
    }

    function Show-File($Repo, [string] $Path = 'apps/web/values.yaml') { (Invoke-Git -C $Repo.Bare show "main:$Path") -join "`n" }
}

AfterAll { if ($ecr) { $ecr.Stop() } }

Describe 'Issue14 item 1: a helmvalues target with one Helm key set writes the other at upstream''s default' {
    It 'Issue14 item 1: only helm.image-name set: the tag goes to image.tag and is committed' {
        $repo = New-GitOpsRepository "image:`n  repository: $EcrHost/team/web`n  tag: 1.0.0`n"
        $manifest = New-AppManifest $repo @{
            'image-list' = "web=$EcrHost/team/web"; 'web.helm.image-name' = 'image.repository'
            'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml'
        }

        $result = Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue | Update-HelmImageTag -WorkingDirectory $repo.Cache

        $result.Status | Should -Be 'Updated'
        Show-File $repo | Should -Be "image:`n  repository: $EcrHost/team/web`n  tag: 1.1.0"
    }

    It 'Issue14 item 1: only helm.image-tag set: an image.name in the values file is written as upstream v1 does (here the image moved)' {
        $repo = New-GitOpsRepository "image:`n  name: old.example.com/team/web`n  version: 1.0.0`n"
        $manifest = New-AppManifest $repo @{
            'image-list' = "web=$EcrHost/team/web"; 'web.helm.image-tag' = 'image.version'
            'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml'
        }

        $result = Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue | Update-HelmImageTag -WorkingDirectory $repo.Cache -WarningVariable warnings -WarningAction SilentlyContinue

        $result.Status | Should -Be 'Updated'
        $result.CreatedKeys | Should -BeNullOrEmpty
        Show-File $repo | Should -Be "image:`n  name: $EcrHost/team/web`n  version: 1.1.0"
    }

    It 'Issue14 item 1: only helm.image-tag set: a chart without image.name is not given one (documented difference)' {
        $repo = New-GitOpsRepository "image:`n  repository: $EcrHost/team/web`n  version: 1.0.0`n"
        $manifest = New-AppManifest $repo @{
            'image-list' = "web=$EcrHost/team/web"; 'web.helm.image-tag' = 'image.version'
            'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml'
        }

        $result = Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue | Update-HelmImageTag -WorkingDirectory $repo.Cache -WarningVariable warnings -WarningAction SilentlyContinue

        $result.Status | Should -Be 'Updated'
        $warnings | Should -BeNullOrEmpty
        Show-File $repo | Should -Be "image:`n  repository: $EcrHost/team/web`n  version: 1.1.0"
    }

    It 'Issue14 item 1: only helm.image-tag set: an image.name already naming the image is kept as written' {
        $repo = New-GitOpsRepository "image:`n  name: $EcrHost/team/web`n  version: 1.0.0`n"
        $manifest = New-AppManifest $repo @{
            'image-list' = "web=$EcrHost/team/web"; 'web.helm.image-tag' = 'image.version'
            'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml'
        }

        $result = Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue | Update-HelmImageTag -WorkingDirectory $repo.Cache

        $result.Status | Should -Be 'Updated'
        $result.CreatedKeys | Should -BeNullOrEmpty
        Show-File $repo | Should -Be "image:`n  name: $EcrHost/team/web`n  version: 1.1.0"
    }

    It 'Issue14 item 1: the .argocd-source file gets the same keys (image.repository and the default image.tag)' {
        $repo = New-GitOpsRepository "image:`n  repository: x`n"
        $manifest = New-AppManifest $repo @{ 'image-list' = "web=$EcrHost/team/web"; 'web.helm.image-name' = 'image.repository'; 'write-back-method' = 'git' }

        $null = Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue | Update-HelmImageTag -WorkingDirectory $repo.Cache

        $written = Show-File $repo 'apps/web/.argocd-source-web.yaml'
        $written | Should -Match "name: image\.repository\s+value: $([regex]::Escape("$EcrHost/team/web"))"
        $written | Should -Match 'name: image\.tag\s+value: 1\.1\.0'
    }
}

Describe 'Issue14 item 2: an image-list entry without an alias is known by its image name' {
    It 'Issue14 item 2: image-list nginx with nginx.helm.* keys: no unknown-alias error, and the named keys are written' {
        $repo = New-GitOpsRepository "app:`n  image:`n    repo: $EcrHost/nginx`n    version: 1.0.0`n"
        $manifest = New-AppManifest $repo @{
            'image-list' = "$EcrHost/nginx"; 'nginx.helm.image-name' = 'app.image.repo'; 'nginx.helm.image-tag' = 'app.image.version'
            'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml'
        }

        @(Test-ImageUpdaterAnnotation -Path $manifest -ErrorAction SilentlyContinue | Where-Object Severity -eq 'Error') | Should -HaveCount 0
        $result = Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue | Update-HelmImageTag -WorkingDirectory $repo.Cache

        $result.Status | Should -Be 'Updated'
        Show-File $repo | Should -Be "app:`n  image:`n    repo: $EcrHost/nginx`n    version: 1.1.0"
    }
}

Describe 'Issue14 item 3: an application read from a file knows its current tag from its write-back target' {
    It 'Issue14 item 3: right after a push the values file holds the newest tag: up to date, and -WhatIf would update nothing' {
        $repo = New-GitOpsRepository "image:`n  repository: $EcrHost/team/web`n  tag: 1.1.0`n"
        $repo.Manifests = Join-Path $repo.Seed 'manifests'
        $manifest = New-AppManifest $repo @{
            'image-list' = "web=$EcrHost/team/web"; 'web.helm.image-name' = 'image.repository'; 'web.helm.image-tag' = 'image.tag'
            'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml'
        }

        $candidate = Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue
        $candidate.CurrentTag | Should -Be '1.1.0'
        $candidate.UpdateNeeded | Should -BeFalse
        $candidate.Reason | Should -Match 'running 1\.1\.0 \(apps/web/values\.yaml\)'

        $out = Invoke-ImageUpdater -Path $repo.Manifests -WorkingDirectory $repo.Cache @aws -WhatIf -WarningAction SilentlyContinue -SummaryVariable summary
        $summary.WhatIf | Should -Be 0
        $summary.Unchanged | Should -Be 1
    }

    It 'Issue14 item 3: an older tag in the values file is the current tag the update replaces' {
        $repo = New-GitOpsRepository "image:`n  repository: $EcrHost/team/web`n  tag: 1.0.0`n"
        $repo.Manifests = Join-Path $repo.Seed 'manifests'
        $manifest = New-AppManifest $repo @{
            'image-list' = "web=$EcrHost/team/web"; 'web.helm.image-name' = 'image.repository'
            'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml'
        }

        $candidate = Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue
        $candidate.CurrentTag | Should -Be '1.0.0'
        $candidate.UpdateNeeded | Should -BeTrue
        $result = $candidate | Update-HelmImageTag -WorkingDirectory $repo.Cache
        $result.OldTag | Should -Be '1.0.0'
        Show-File $repo | Should -Be "image:`n  repository: $EcrHost/team/web`n  tag: 1.1.0"
    }
}

Describe 'Issue14 item 4: a mistyped Helm key is created, and said so' {
    BeforeAll {
        $script:typo = @{
            'image-list' = "web=$EcrHost/team/web"; 'web.helm.image-name' = 'image.repository'; 'web.helm.image-tag' = 'image.tagg'
            'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml'
        }
    }

    It 'Issue14 item 4: the commit adds image.tagg, and the result and a warning name it' {
        $repo = New-GitOpsRepository "image:`n  repository: $EcrHost/team/web`n  tag: 1.0.0`n"
        $manifest = New-AppManifest $repo $typo

        $result = Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue | Update-HelmImageTag -WorkingDirectory $repo.Cache -WarningVariable warnings -WarningAction SilentlyContinue

        $result.Status | Should -Be 'Updated'
        $result.CreatedKeys | Should -Be @('image.tagg')
        $result.Message | Should -Match 'Created image\.tagg'
        ($warnings -join "`n") | Should -Match 'had no image\.tagg; created it'
        Show-File $repo | Should -Be "image:`n  repository: $EcrHost/team/web`n  tag: 1.0.0`n  tagg: 1.1.0"
    }

    It 'Issue14 item 4: -WhatIf shows the key it would create and commits nothing' {
        $repo = New-GitOpsRepository "image:`n  repository: $EcrHost/team/web`n  tag: 1.0.0`n"
        $manifest = New-AppManifest $repo $typo

        $result = Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue | Update-HelmImageTag -WorkingDirectory $repo.Cache -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue

        $result.Status | Should -Be 'WhatIf'
        $result.Message | Should -Match 'Created image\.tagg'
        ($warnings -join "`n") | Should -Match 'image\.tagg; it would be created'
        Show-File $repo | Should -Be "image:`n  repository: $EcrHost/team/web`n  tag: 1.0.0"
    }

    It 'Issue14 item 4: Update-HelmImageTag -Path warns about the key it created' {
        $file = Join-Path $TestDrive 'typo-values.yaml'
        [IO.File]::WriteAllText($file, "image:`n  tag: 1.0.0`n")

        Update-HelmImageTag -Path $file -ImageTagKey image.tagg -Tag 1.1.0 -WarningVariable warnings -WarningAction SilentlyContinue

        ($warnings -join "`n") | Should -Match 'image\.tagg'
        [IO.File]::ReadAllText($file) | Should -Be "image:`n  tag: 1.0.0`n  tagg: 1.1.0`n"
    }

    It 'Issue14 item 4: Test-ImageUpdaterAnnotation -Repository names the missing key and the nearest one' {
        $repo = New-GitOpsRepository "image:`n  repository: $EcrHost/team/web`n  tag: 1.0.0`n"
        $manifest = New-AppManifest $repo $typo

        $found = @(Test-ImageUpdaterAnnotation -Path $manifest -Repository $repo.Seed | Where-Object Key -eq 'web.helm.image-tag')

        $found | Should -HaveCount 1
        $found[0].Severity | Should -Be 'Warning'
        $found[0].Message | Should -Be "'apps/web/values.yaml' has no key 'image.tagg'; the write-back would create it. Did you mean image.tag?"
    }
}

Describe 'Issue14 item 5: no qualifying tag is NoTag, not Unchanged' {
    It 'Issue14 item 5: every tag rejected by allow-tags: NoTag result, a warning, counted in the summary' {
        $repo = New-GitOpsRepository "image:`n  repository: $EcrHost/team/web`n  tag: 1.0.0`n"
        $manifest = New-AppManifest $repo @{
            'image-list' = "web=$EcrHost/team/web"; 'web.helm.image-name' = 'image.repository'; 'web.allow-tags' = 'regexp:^9\.'
            'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml'
        }

        $candidate = Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue
        $candidate.Decision | Should -Be 'NoTag'
        $result = $candidate | Update-HelmImageTag -WorkingDirectory $repo.Cache -WarningVariable warnings -WarningAction SilentlyContinue
        $result.Status | Should -Be 'NoTag'
        ($warnings -join "`n") | Should -Match 'no tag qualifies, nothing written'

        $out = Invoke-ImageUpdater -Path $repo.Manifests -WorkingDirectory $repo.Cache @aws -WarningAction SilentlyContinue -SummaryVariable summary
        $summary.NoTag | Should -Be 1
        $summary.Unchanged | Should -Be 0
        ($summary | Format-List | Out-String) | Should -Match 'NoTag\s*:\s*1'
        Show-File $repo | Should -Be "image:`n  repository: $EcrHost/team/web`n  tag: 1.0.0"
    }
}

Describe 'Issue14 item 12: the digest strategy compares each alias with its own container' {
    It 'Issue14 item 12: two containers of one image on tag-a and tag-b: only the one behind is updated' {
        $repo = New-GitOpsRepository "a:`n  tag: tag-a@$DigestA1`nb:`n  tag: tag-b@$DigestB`n"
        $manifest = New-AppManifest $repo @{
            'image-list' = "a=$EcrHost/team/multi:tag-a,b=$EcrHost/team/multi:tag-b"; 'update-strategy' = 'digest'
            'a.helm.image-tag' = 'a.tag'; 'a.helm.image-name' = 'a.name'; 'b.helm.image-tag' = 'b.tag'; 'b.helm.image-name' = 'b.name'
            'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml'
        } -LiveImages @("$EcrHost/team/multi:tag-a@$DigestA1", "$EcrHost/team/multi:tag-b@$DigestB")

        $candidates = @(Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue)

        ($candidates | Where-Object Alias -eq 'a').UpdateNeeded | Should -BeTrue
        ($candidates | Where-Object Alias -eq 'b').UpdateNeeded | Should -BeFalse
        ($candidates | Where-Object Alias -eq 'b').Decision | Should -Be 'UpToDate'
    }
}

Describe 'Issue14 item 13: kustomize.image-name recognises the running image' {
    It 'Issue14 item 13: the live image named by kustomize.image-name is the current one, so the image is not skipped' {
        $repo = New-GitOpsRepository "image:`n  tag: 1.0.0`n"
        $manifest = New-AppManifest $repo @{
            'image-list' = "web=$EcrHost/team/web"; 'web.kustomize.image-name' = 'registry.example.com/placeholder/web'
            'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml'
        } -LiveImages @('registry.example.com/placeholder/web:1.0.0')

        $candidate = Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue

        $candidate.Decision | Should -Be 'Update'
        $candidate.CurrentTag | Should -Be '1.0.0'
        $candidate.NewTag | Should -Be '1.1.0'
    }
}

Describe 'Issue14 item 3: the current-tag read cache lives for one run' {
    It 'Issue14 item 3: a values file rewritten between two runs (same write time) is read again by the next run' {
        $repo = New-GitOpsRepository "image:`n  repository: $EcrHost/team/web`n  tag: 1.0.0`n"
        $repo.Manifests = Join-Path $repo.Seed 'manifests'
        $manifest = New-AppManifest $repo @{
            'image-list' = "web=$EcrHost/team/web"; 'web.helm.image-name' = 'image.repository'
            'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml'
        }
        $values = Join-Path $repo.Seed 'apps/web/values.yaml'
        $stamp = (Get-Item $values).LastWriteTimeUtc

        (Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue).CurrentTag | Should -Be '1.0.0'
        [IO.File]::WriteAllText($values, "image:`n  repository: $EcrHost/team/web`n  tag: 1.1.0`n")
        (Get-Item $values).LastWriteTimeUtc = $stamp

        $again = Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue
        $again.CurrentTag | Should -Be '1.1.0'
        $again.Decision | Should -Be 'UpToDate'
    }
}

Describe 'Issue14 item 9: a helmvalues target that does not exist yet is created' {
    It 'Issue14 item 9: the new file has upstream''s header and key layout, and the result says it was created' {
        $repo = New-GitOpsRepository "other: 1`n"
        $manifest = New-AppManifest $repo @{
            'image-list' = "web=$EcrHost/team/web"; 'web.helm.image-name' = 'web.image.name'; 'web.helm.image-tag' = 'web.image.tag'
            'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:versions/web.yaml'
        }

        $result = Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue | Update-HelmImageTag -WorkingDirectory $repo.Cache -WarningVariable warnings -WarningAction SilentlyContinue

        $result.Status | Should -Be 'Updated'
        $result.Message | Should -Match 'Created apps/web/versions/web\.yaml, which did not exist'
        $result.CreatedKeys | Should -BeNullOrEmpty
        $warnings | Should -BeNullOrEmpty
        Show-File $repo 'apps/web/versions/web.yaml' | Should -Be "# auto generated by argocd image updater`n`nweb:`n  image:`n    tag: 1.1.0`n    name: $EcrHost/team/web"
        Show-File $repo | Should -Be 'other: 1'
    }

    It 'Issue14 item 9: Test-ImageUpdaterAnnotation -Repository says the file would be created' {
        $repo = New-GitOpsRepository "other: 1`n"
        $manifest = New-AppManifest $repo @{ 'image-list' = "web=$EcrHost/team/web"; 'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:new-values.yaml' }

        $found = @(Test-ImageUpdaterAnnotation -Path $manifest -Repository $repo.Seed | Where-Object Key -eq 'write-back-target')

        $found | Should -HaveCount 1
        $found[0].Severity | Should -Be 'Warning'
        $found[0].Message | Should -Match "'apps/web/new-values\.yaml' does not exist .*the write-back would create it"
    }

    It 'Issue14 item 9: a missing file outside the repository or in .git is still refused, and nothing is committed' -ForEach @(
        @{ Target = 'helmvalues:../../../escape.yaml'; Id = 'WriteBackTargetOutsideRepository' }
        @{ Target = 'helmvalues:/.git/hooks/values.yaml'; Id = 'WriteBackTargetInvalid' }
        @{ Target = 'helmvalues:/.github/workflows/values.yaml'; Id = 'WriteBackTargetProtected' }
    ) {
        $repo = New-GitOpsRepository "other: 1`n"
        $manifest = New-AppManifest $repo @{ 'image-list' = "web=$EcrHost/team/web"; 'write-back-method' = 'git'; 'write-back-target' = $Target }
        $before = Invoke-Git -C $repo.Bare rev-parse main

        $result = Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue | Update-HelmImageTag -WorkingDirectory $repo.Cache -ErrorVariable errs -ErrorAction SilentlyContinue

        $result.Status | Should -Be 'Failed'
        $errs[0].FullyQualifiedErrorId | Should -BeLike "$Id*"
        Invoke-Git -C $repo.Bare rev-parse main | Should -Be $before
    }
}

Describe 'Issue14 item 10: without a platforms annotation only linux/amd64 images count (newest-build, digest)' {
    BeforeAll {
        $script:Missing10 = $null
        if (-not (Get-Command docker-registry -ErrorAction SilentlyContinue) -or -not (Get-Command htpasswd -ErrorAction SilentlyContinue)) {
            $script:Missing10 = 'docker-registry or htpasswd is not installed (apt-get install docker-registry apache2-utils)'
            if (Test-IsCI) { throw "$Missing10, and under CI=true the registry tests must run." }
        }
        else {
            # team/multi: v1 = amd64 built day 2 + arm64 day 40; v2 = amd64 day 35 + arm64 day 5 (indexes).
            $script:Registry10 = Start-Emulator docker-registry @('--user', 'alice:s3cret-pw', '--seed')
        }
        $script:Alice = [pscredential]::new('alice', (ConvertTo-SecureString 's3cret-pw' -AsPlainText -Force))
        $script:OciCache = Join-Path $TestDrive 'issue14-oci.json'

        function New-MultiApp([hashtable] $Extra = @{}, [string] $RepoUrl = 'https://git.example.com/gitops.git') {
            $file = Join-Path $TestDrive ("multi-" + [guid]::NewGuid().ToString('N').Substring(0, 6) + '.yaml')
            $lines = @('apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata:', '  name: multi', '  namespace: argocd', '  annotations:',
                "    argocd-image-updater.argoproj.io/image-list: multi=$($Registry10.host)/team/multi",
                '    argocd-image-updater.argoproj.io/multi.update-strategy: newest-build')
            foreach ($k in $Extra.Keys) { $lines += "    argocd-image-updater.argoproj.io/${k}: '$($Extra[$k])'" }
            $lines += 'spec:', '  project: default', '  source:', "    repoURL: $RepoUrl", '    path: apps/web', '    targetRevision: main', '    helm: {}'
            Set-Content -Path $file -Value ($lines -join "`n")
            $file
        }
    }

    AfterAll { if ($Registry10) { $Registry10.Stop() } }

    BeforeEach { if ($Missing10) { Set-ItResult -Skipped -Because $Missing10 } }

    It 'Issue14 item 10: Find-ImageTag -Image picks the newest linux/amd64 build; -Platform names others, ''*'' any' {
        $image = "$($Registry10.host)/team/multi"
        (Find-ImageTag $image -UpdateStrategy newest-build -First 1 -RegistryCredential $Alice -CachePath $OciCache).Tag | Should -Be 'v2'
        (Find-ImageTag $image -UpdateStrategy newest-build -First 1 -Platform linux/arm64 -RegistryCredential $Alice -CachePath $OciCache).Tag | Should -Be 'v1'
        (Find-ImageTag $image -UpdateStrategy newest-build -First 1 -Platform '*' -RegistryCredential $Alice -CachePath $OciCache).Tag | Should -Be 'v1'
    }

    It 'Issue14 item 10: an Application without platforms gets the linux/amd64 build; the annotation, then -Platform, say otherwise' {
        (Get-ArgoApplication -Path (New-MultiApp) | Find-ImageTag -RegistryCredential $Alice -CachePath $OciCache).NewTag | Should -Be 'v2'
        (Get-ArgoApplication -Path (New-MultiApp) | Find-ImageTag -Platform linux/arm64 -RegistryCredential $Alice -CachePath $OciCache).NewTag | Should -Be 'v1'
        $annotated = New-MultiApp @{ 'multi.platforms' = 'linux/arm64' }
        (Get-ArgoApplication -Path $annotated | Find-ImageTag -Platform linux/amd64 -RegistryCredential $Alice -CachePath $OciCache).NewTag | Should -Be 'v1'
    }

    It 'Issue14 item 10: Invoke-ImageUpdater -WhatIf takes the same default and -Platform' {
        $repo = New-GitOpsRepository "image:`n  tag: v0`n"
        $folder = Join-Path $TestDrive ('invoke-' + [guid]::NewGuid().ToString('N').Substring(0, 6))
        $null = New-Item -ItemType Directory $folder
        Move-Item (New-MultiApp @{ 'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml' } $repo.Url) (Join-Path $folder 'multi.yaml')

        $default = Invoke-ImageUpdater -Path $folder -WorkingDirectory $repo.Cache -RegistryCredential $Alice -RegistryCredentialScope $Registry10.host -WhatIf -WarningAction SilentlyContinue
        $arm = Invoke-ImageUpdater -Path $folder -WorkingDirectory $repo.Cache -Platform linux/arm64 -RegistryCredential $Alice -RegistryCredentialScope $Registry10.host -WhatIf -WarningAction SilentlyContinue

        $default.NewTag | Should -Be 'v2'
        $arm.NewTag | Should -Be 'v1'
    }
}

Describe 'Issue14 item 14: registries.conf ca_file and ca_data trust a registry''s own CA' {
    BeforeAll {
        $script:Missing14 = $null
        foreach ($tool in 'docker-registry', 'htpasswd', 'openssl') {
            if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) { $script:Missing14 = "$tool is not installed" }
        }
        if ($Missing14 -and (Test-IsCI)) { throw "$Missing14, and under CI=true the TLS registry test must run." }
        if (-not $Missing14) {
            # A CA of this test signs the registry's certificate for 127.0.0.1; nothing on the machine trusts it.
            $script:Pki = Join-Path $TestDrive 'pki'
            $null = New-Item -ItemType Directory $Pki
            Push-Location $Pki
            try {
                & openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=Issue14 Test CA' -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>$null
                & openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=127.0.0.1' 2>$null
                "subjectAltName=IP:127.0.0.1`nbasicConstraints=CA:FALSE`nextendedKeyUsage=serverAuth`n" | Set-Content ext.cnf
                & openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile ext.cnf 2>$null
                if ($LASTEXITCODE -ne 0) { throw 'openssl could not sign the registry certificate' }
            }
            finally { Pop-Location }
            $script:TlsRegistry = Start-Emulator docker-registry @('--user', 'alice:s3cret-pw', '--seed', '--tls-cert', (Join-Path $Pki 'server.pem'), '--tls-key', (Join-Path $Pki 'server.key'))
            $script:TlsHost = $TlsRegistry.host
        }
        $script:Alice = [pscredential]::new('alice', (ConvertTo-SecureString 's3cret-pw' -AsPlainText -Force))

        function New-RegistriesConf([string] $Extra) {
            $file = Join-Path $TestDrive ('registries-' + [guid]::NewGuid().ToString('N').Substring(0, 6) + '.conf')
            "registries:`n- name: private`n  prefix: $TlsHost`n  api_url: https://$TlsHost`n$Extra" | Set-Content $file
            $file
        }
    }

    AfterAll { if ($TlsRegistry) { $TlsRegistry.Stop() } }

    BeforeEach { if ($Missing14) { Set-ItResult -Skipped -Because $Missing14 } }

    It 'Issue14 item 14: without the CA the registry''s certificate is refused' {
        { Find-ImageTag "$TlsHost/team/app" -RegistriesConfig (New-RegistriesConf '') -RegistryCredential $Alice -ErrorAction Stop } | Should -Throw
    }

    It 'Issue14 item 14: ca_file (relative to the registries.conf) makes the tags readable' {
        Copy-Item (Join-Path $Pki 'ca.pem') (Join-Path $TestDrive 'registry-ca.pem')
        $tags = Find-ImageTag "$TlsHost/team/app:~1.0" -RegistriesConfig (New-RegistriesConf "  ca_file: registry-ca.pem`n") -RegistryCredential $Alice
        $tags[0].Tag | Should -Be '1.0.0'
    }

    It 'Issue14 item 14: ca_data (the PEM inline) makes the tags readable' {
        $pem = (Get-Content (Join-Path $Pki 'ca.pem') | ForEach-Object { "    $_" }) -join "`n"
        $tags = Find-ImageTag "$TlsHost/team/app:~1.0" -RegistriesConfig (New-RegistriesConf "  ca_data: |`n$pem`n") -RegistryCredential $Alice
        $tags[0].Tag | Should -Be '1.0.0'
    }

    It 'Issue14 item 14: a CA file without a certificate fails the whole configuration, naming registry and line' {
        'not a certificate' | Set-Content (Join-Path $TestDrive 'bad-ca.pem')
        $conf = New-RegistriesConf "  ca_file: bad-ca.pem`n"
        { Find-ImageTag "$TlsHost/team/app" -RegistriesConfig $conf -RegistryCredential $Alice -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*line 5: could not configure CA certificates for registry private: CA file *bad-ca.pem does not contain a valid PEM certificate*"
    }
}

Describe 'Issue14 item 15: commit templates get .Labels, the OCI labels of the new image' {
    BeforeAll {
        $script:Missing15 = $null
        if (-not (Get-Command docker-registry -ErrorAction SilentlyContinue) -or -not (Get-Command htpasswd -ErrorAction SilentlyContinue)) {
            $script:Missing15 = 'docker-registry or htpasswd is not installed (apt-get install docker-registry apache2-utils)'
            if (Test-IsCI) { throw "$Missing15, and under CI=true the registry tests must run." }
        }
        else {
            # team/labelled 1.1.0 (newest) carries org.opencontainers.image.source and .revision labels.
            $script:Registry15 = Start-Emulator docker-registry @('--user', 'alice:s3cret-pw', '--seed')
        }
        $script:Alice = [pscredential]::new('alice', (ConvertTo-SecureString 's3cret-pw' -AsPlainText -Force))
    }

    AfterAll { if ($Registry15) { $Registry15.Stop() } }

    BeforeEach { if ($Missing15) { Set-ItResult -Skipped -Because $Missing15 } }

    It 'Issue14 item 15: upstream''s "Upstream Commit" example renders from the labels of the new image' {
        $image = "$($Registry15.host)/team/labelled"
        $repo = New-GitOpsRepository "image:`n  name: $image`n  tag: 1.0.0`n"
        $null = New-Item -ItemType Directory $repo.Manifests -Force
        $manifest = Join-Path $repo.Manifests 'web.yaml'
        @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: web=$image
    argocd-image-updater.argoproj.io/web.update-strategy: newest-build
    argocd-image-updater.argoproj.io/write-back-method: git
    argocd-image-updater.argoproj.io/write-back-target: helmvalues:values.yaml
    argocd-image-updater.argoproj.io/git.commit-message: |
      build: Automatic update of {{ .AppName }}

      {{ range .AppChanges -}}
      updates image {{ .Image }} tag '{{ .OldTag }}' to '{{ .NewTag }}'
      {{- if index .Labels "org.opencontainers.image.revision" }}
      {{- `$source := index .Labels "org.opencontainers.image.source" }}
      {{- `$revision := index .Labels "org.opencontainers.image.revision" }}
      Upstream Commit: {{ `$source }}/commit/{{ `$revision }}
      {{ end }}
      {{ end -}}
spec:
  project: default
  source:
    repoURL: $($repo.Url)
    path: apps/web
    targetRevision: main
    helm: {}
"@ | Set-Content $manifest

        @(Test-ImageUpdaterAnnotation -Path $manifest | Where-Object Severity -ne 'Info') | Should -HaveCount 0
        $result = Get-ArgoApplication -Path $manifest | Find-ImageTag -RegistryCredential $Alice -CachePath (Join-Path $TestDrive 'labels.json') | Update-HelmImageTag -WorkingDirectory $repo.Cache -WarningVariable warnings -WarningAction SilentlyContinue

        $result.Status | Should -Be 'Updated'
        $warnings | Should -BeNullOrEmpty
        ((Invoke-Git -C $repo.Bare log -1 --format=%B main) -join "`n").TrimEnd() |
            Should -Be "build: Automatic update of web`n`nupdates image team/labelled tag '1.0.0' to '1.1.0'`nUpstream Commit: https://github.com/example/labelled/commit/0123abcd"
    }
}
