# Issue 14 ("never silently wrong"): what is written, and what is said, when keys default, aliases are implicit, keys are mistyped,
# no tag qualifies, and several containers share an image. Real bare git repositories and the ECR emulator.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    function Invoke-Git {
        $out = & git @args 2>&1
        if ($LASTEXITCODE -ne 0) { throw "git $($args -join ' '): $out" }
        $out
    }

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

    It 'Issue14 item 1: only helm.image-tag set: the tag is written and the values file gains no image.name' {
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
