# Update-HelmImageTag with candidates from the pipeline: git write-back against real bare repositories (file:// and smart HTTP).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    # A bare repository holding apps/<name>/values.yaml for each name, a cache folder and manifests; returns paths and the file:// URL.
    function New-GitOpsRepository([string[]] $Apps, [string] $Values = "image:`n  repository: nginx`n  tag: 1.0.0 # pinned`n") {
        $root = Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))
        $bare = Join-Path $root 'remote/gitops.git'
        $seed = Join-Path $root 'seed'
        Invoke-Git init --quiet --bare --initial-branch=main $bare | Out-Null
        Invoke-Git clone --quiet $bare $seed 2>$null | Out-Null
        foreach ($app in $Apps) {
            $null = New-Item -ItemType Directory (Join-Path $seed "apps/$app") -Force
            [IO.File]::WriteAllText((Join-Path $seed "apps/$app/values.yaml"), $Values)
        }
        Invoke-Git -C $seed checkout --quiet -b main | Out-Null
        Invoke-Git -C $seed add -A | Out-Null
        Invoke-Git -C $seed -c user.name=Seed -c user.email=seed@example.com commit --quiet -m seed | Out-Null
        Invoke-Git -C $seed push --quiet origin main 2>$null | Out-Null
        [pscustomobject]@{ Root = $root; Bare = $bare; Url = [System.Uri]::new($bare, [System.UriKind]::Absolute).AbsoluteUri; Cache = (Join-Path $root 'cache'); Manifests = (Join-Path $root 'manifests') }
    }

    function New-AppManifest($Repo, [string] $Name, [hashtable] $Annotations = @{}, [string] $RepoUrl) {
        $all = @{
            'image-list'            = 'nginx=nginx'
            'nginx.helm.image-tag'  = 'image.tag'
            'write-back-method'     = 'git'
            'write-back-target'     = 'helmvalues:values.yaml'
        }
        foreach ($k in $Annotations.Keys) { $all[$k] = $Annotations[$k] }
        $lines = @('apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata:', "  name: $Name", '  namespace: argocd', '  annotations:')
        foreach ($k in $all.Keys | Sort-Object) { $lines += "    argocd-image-updater.argoproj.io/${k}: '$($all[$k])'" }
        $url = if ($RepoUrl) { $RepoUrl } else { $Repo.Url }
        $lines += 'spec:', '  project: default', '  source:', "    repoURL: $url", "    path: apps/$Name", '    targetRevision: main', '    helm: {}'
        $null = New-Item -ItemType Directory $Repo.Manifests -Force
        $file = Join-Path $Repo.Manifests "$Name.yaml"
        Set-Content -Path $file -Value ($lines -join "`n")
        $file
    }

    # What Find-EcrTag emits, built from the Core model: nginx 1.0.0 → $NewTag.
    function New-Candidate([string] $Manifest, [string] $NewTag = '1.1.0', [bool] $Needed = $true) {
        $app = Get-ArgoApplication -Path $Manifest
        # The module's types live in its own load context, where [type] literals do not look; reach them through an instance.
        $type = $app.PSObject.BaseObject.GetType().Assembly.GetType('ImageUpdater.Core.Updating.ImageUpdateCandidate', $true)
        $candidate = [Activator]::CreateInstance($type, @($app.PSObject.BaseObject, $app.Images[0]))
        $candidate.CurrentTag = '1.0.0'
        $candidate.NewTag = $NewTag
        $candidate.UpdateNeeded = $Needed
        $candidate
    }

    function Get-CommitCount($Repo) { [int] (Invoke-Git -C $Repo.Bare rev-list --count main) }
}

Describe 'Update-HelmImageTag -Candidate (git write-back over file://)' {
    It 'commits and pushes one application''s values file, keeping the comment' {
        $repo = New-GitOpsRepository 'web'
        $candidate = New-Candidate (New-AppManifest $repo 'web')

        $result = $candidate | Update-HelmImageTag -WorkingDirectory $repo.Cache

        $result.PSObject.TypeNames[0] | Should -Be 'ImageUpdater.ImageUpdateResult'
        $result.Status | Should -Be 'Updated'
        $result.Method | Should -Be 'git'
        $result.Branch | Should -Be 'main'
        $result.Target | Should -Be 'apps/web/values.yaml'
        $result.Repository | Should -Be $repo.Url
        $result.Commit | Should -Be (Invoke-Git -C $repo.Bare rev-parse main)
        (Invoke-Git -C $repo.Bare show main:apps/web/values.yaml) -join "`n" | Should -Be "image:`n  repository: nginx`n  tag: 1.1.0 # pinned"
        (Invoke-Git -C $repo.Bare log -1 '--format=%an <%ae>|%s' main) | Should -Be 'argocd-image-updater <noreply@argoproj.io>|build: automatic update of web'
    }

    It 'loads LibGit2Sharp into the module''s load context and libgit2 from the module''s runtimes folder' {
        # Runs after a git write-back above, so libgit2 is loaded by now.
        $alc = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'ImageUpdater.PS'
        @($alc.Assemblies.GetName().Name) | Should -Contain 'LibGit2Sharp'
        @([System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies.GetName().Name) | Should -Not -Contain 'LibGit2Sharp'
        if ($IsLinux) {
            $native = @(Get-Content /proc/self/maps | Where-Object { $_ -match 'libgit2-[0-9a-f]+\.so' } | ForEach-Object { ($_ -split '\s+')[-1] } | Select-Object -Unique)
            $native.Count | Should -Be 1
            $native[0] | Should -BeLike (Join-Path (Get-TestModulePath) 'bin/net8.0/runtimes/linux-*/native/libgit2-*.so')
        }
    }

    It 'batches three applications into one commit and one push' {
        $repo = New-GitOpsRepository 'a', 'b', 'c'
        $before = Get-CommitCount $repo
        $candidates = 'a', 'b', 'c' | ForEach-Object { New-Candidate (New-AppManifest $repo $_) }

        $results = $candidates | Update-HelmImageTag -WorkingDirectory $repo.Cache -Verbose 4>&1
        $verbose = @($results | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $results = @($results | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })

        $results.Status | Should -Be @('Updated', 'Updated', 'Updated')
        @($results.Commit | Select-Object -Unique).Count | Should -Be 1
        Get-CommitCount $repo | Should -Be ($before + 1)
        # The repository was cloned and fetched in the background when candidate a arrived; the write then only committed and pushed.
        ($verbose.Message -join "`n") | Should -Match 'Prepared 1 repository\(ies\) ahead of the write-back: fetches 1 \(clones 1\)'
        ($verbose.Message -join "`n") | Should -Match 'Using the branches of \S+ fetched [0-9.]+ s ago by its preparation'
        ($verbose.Message -join "`n") | Should -Match 'fetches 0 \(clones 0\), commits 1, pushes 1'
        $message = (Invoke-Git -C $repo.Bare log -1 '--format=%B' main) -join "`n"
        $message | Should -Match "^build: update 3 images in 3 applications\n\na: updates image nginx tag '1.0.0' to '1.1.0'\nb: updates image .*\nc: updates image"
    }

    It 'uses the seed''s commit-message template, git.branch and the author annotations' {
        $repo = New-GitOpsRepository 'web'
        $manifest = New-AppManifest $repo 'web' @{ 'git.branch' = 'main:image-updater-{{ range .Images }}{{ .Name }}-{{ .NewTag }}{{ end }}'; 'git.commit-message' = 'イメージのタグを {{ .tag }} に更新しました'; 'git.user' = 'Image Bot'; 'git.email' = 'bot@example.com' }

        $result = New-Candidate $manifest | Update-HelmImageTag -WorkingDirectory $repo.Cache

        $result.Branch | Should -Be 'image-updater-nginx-1.1.0'
        (Invoke-Git -C $repo.Bare log -1 '--format=%an <%ae>|%s' image-updater-nginx-1.1.0) | Should -Be 'Image Bot <bot@example.com>|イメージのタグを 1.1.0 に更新しました'
        (Invoke-Git -C $repo.Bare show main:apps/web/values.yaml) -join "`n" | Should -Match 'tag: 1.0.0'
    }

    It 'makes no commit on a second identical run' {
        $repo = New-GitOpsRepository 'web'
        $manifest = New-AppManifest $repo 'web'
        $null = New-Candidate $manifest | Update-HelmImageTag -WorkingDirectory $repo.Cache
        $after = Get-CommitCount $repo

        $again = New-Candidate $manifest | Update-HelmImageTag -WorkingDirectory $repo.Cache

        $again.Status | Should -Be 'Unchanged'
        $again.Commit | Should -BeNullOrEmpty
        Get-CommitCount $repo | Should -Be $after
    }

    It 'passes candidates that need no update through as Unchanged' {
        $repo = New-GitOpsRepository 'web'
        $result = New-Candidate (New-AppManifest $repo 'web') -Needed $false | Update-HelmImageTag -WorkingDirectory $repo.Cache
        $result.Status | Should -Be 'Unchanged'
        Test-Path $repo.Cache | Should -BeFalse
    }

    It 'shows the diff with -WhatIf and commits nothing' {
        $repo = New-GitOpsRepository 'web'
        $before = Get-CommitCount $repo

        $result = New-Candidate (New-AppManifest $repo 'web') | Update-HelmImageTag -WorkingDirectory $repo.Cache -WhatIf

        $result.Status | Should -Be 'WhatIf'
        $result.Diff | Should -Match '(?m)^-  tag: 1\.0\.0 # pinned$'
        $result.Diff | Should -Match '(?m)^\+  tag: 1\.1\.0 # pinned$'
        Get-CommitCount $repo | Should -Be $before
    }

    It 'treats a -WhatIf inherited from a calling advanced function as a what-if, not a declined prompt' {
        $repo = New-GitOpsRepository 'web'
        $before = Get-CommitCount $repo
        function Update-Scheduled {
            [CmdletBinding(SupportsShouldProcess)]
            param($Candidate, $Cache)
            $Candidate | Update-HelmImageTag -WorkingDirectory $Cache
        }

        $result = Update-Scheduled -Candidate (New-Candidate (New-AppManifest $repo 'web')) -Cache $repo.Cache -WhatIf

        $result.Status | Should -Be 'WhatIf'
        $result.Message | Should -Match '^What if: would commit apps/web/values.yaml to main'
        $result.Diff | Should -Match '(?m)^\+  tag: 1\.1\.0 # pinned$'
        Get-CommitCount $repo | Should -Be $before
    }

    It 'refuses a target outside the repository and pushes nothing' {
        $repo = New-GitOpsRepository 'web'
        $before = Get-CommitCount $repo
        $candidate = New-Candidate (New-AppManifest $repo 'web' @{ 'write-back-target' = 'helmvalues:../../../x' })

        $result = $candidate | Update-HelmImageTag -WorkingDirectory $repo.Cache -ErrorVariable errs -ErrorAction SilentlyContinue

        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WriteBackTargetOutsideRepository,*'
        $result.Status | Should -Be 'Failed'
        Get-CommitCount $repo | Should -Be $before
    }

    It 'writes a kustomization target' {
        $repo = New-GitOpsRepository 'web' -Values "resources:`n- deploy.yaml`nimages:`n- name: nginx`n  newTag: 1.0.0`n"
        $seed = Join-Path $repo.Root 'seed'
        Move-Item (Join-Path $seed 'apps/web/values.yaml') (Join-Path $seed 'apps/web/kustomization.yaml')
        Invoke-Git -C $seed add -A | Out-Null
        Invoke-Git -C $seed -c user.name=Seed -c user.email=seed@example.com commit --quiet -m kustomize | Out-Null
        Invoke-Git -C $seed push --quiet origin main 2>$null | Out-Null

        $result = New-Candidate (New-AppManifest $repo 'web' @{ 'write-back-target' = 'kustomization' }) | Update-HelmImageTag -WorkingDirectory $repo.Cache

        $result.Status | Should -Be 'Updated'
        $result.Target | Should -Be 'apps/web/kustomization.yaml'
        (Invoke-Git -C $repo.Bare show main:apps/web/kustomization.yaml) -join "`n" | Should -Be "resources:`n- deploy.yaml`nimages:`n- name: nginx`n  newTag: 1.1.0"
    }

    It 'writes the default .argocd-source-<app>.yaml target' {
        $repo = New-GitOpsRepository 'web'
        $manifest = New-AppManifest $repo 'web'
        (Get-Content $manifest) | Where-Object { $_ -notmatch 'write-back-target' } | Set-Content $manifest

        $result = New-Candidate $manifest | Update-HelmImageTag -WorkingDirectory $repo.Cache

        $result.Target | Should -Be 'apps/web/.argocd-source-web.yaml'
        $written = (Invoke-Git -C $repo.Bare show main:apps/web/.argocd-source-web.yaml) -join "`n"
        $written | Should -Match 'helm:'
        $written | Should -Match 'value: 1\.1\.0'
    }

    It 'commits into a local checkout without pushing, and pushes with -Push' {
        $repo = New-GitOpsRepository 'a', 'b'
        $checkout = Join-Path $repo.Root 'checkout'
        Invoke-Git clone --quiet $repo.Bare $checkout 2>$null | Out-Null
        $before = Get-CommitCount $repo

        $local = New-Candidate (New-AppManifest $repo 'a') | Update-HelmImageTag -LocalRepository $checkout
        $local.Status | Should -Be 'Updated'
        $local.Commit | Should -Be (Invoke-Git -C $checkout rev-parse HEAD)
        Get-CommitCount $repo | Should -Be $before

        $pushed = New-Candidate (New-AppManifest $repo 'b') | Update-HelmImageTag -LocalRepository $checkout -Push
        $pushed.Status | Should -Be 'Updated'
        Get-CommitCount $repo | Should -Be ($before + 2)
    }

    It 'hands an argocd-method candidate to the Argo CD API, not git: without a session it says to connect' {
        $repo = New-GitOpsRepository 'web'
        $candidate = New-Candidate (New-AppManifest $repo 'web' @{ 'write-back-method' = 'argocd' })
        $before = Get-CommitCount $repo
        $saved = $env:ARGOCD_SERVER, $env:ARGOCD_AUTH_TOKEN
        Disconnect-ArgoCD
        try {
            $env:ARGOCD_SERVER = $null; $env:ARGOCD_AUTH_TOKEN = $null
            $result = $candidate | Update-HelmImageTag -WorkingDirectory $repo.Cache -ErrorVariable errs -ErrorAction SilentlyContinue
        }
        finally { $env:ARGOCD_SERVER, $env:ARGOCD_AUTH_TOKEN = $saved }

        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ArgoCDNotConnected,*'
        $errs[0].Exception.Message | Should -Match 'Connect-ArgoCD'
        $result.Status | Should -Be 'Failed'
        $result.Method | Should -Be 'argocd'
        Get-CommitCount $repo | Should -Be $before
    }
}

Describe 'Update-HelmImageTag -Candidate over smart HTTP (git-http emulator)' {
    BeforeAll {
        $script:repo = New-GitOpsRepository 'web', 'api'
        $script:server = Start-Emulator git-http @('--root', (Split-Path $repo.Bare), '--user', 'bot', '--password', 'hunter2-token')
        $script:httpUrl = $server.url + 'gitops.git'
        $script:good = [pscredential]::new('bot', (ConvertTo-SecureString 'hunter2-token' -AsPlainText -Force))
    }
    AfterAll { if ($server) { $server.Stop() } }

    It 'refuses a wrong password with AuthenticationError naming the -GitCredential user, and pushes nothing' {
        $before = Get-CommitCount $repo
        $bad = [pscredential]::new('bot', (ConvertTo-SecureString 'not-the-token' -AsPlainText -Force))
        $candidate = New-Candidate (New-AppManifest $repo 'web' -RepoUrl $httpUrl)

        $all = $candidate | Update-HelmImageTag -WorkingDirectory $repo.Cache -GitCredential $bad -ErrorVariable errs -ErrorAction SilentlyContinue -Verbose 4>&1
        $result = $all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }

        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $errs[0].Exception.Message | Should -Match "^Authentication failed for '.*': the server refused the HTTPS credential from -GitCredential \(user 'bot'\)"
        $result.Status | Should -Be 'Failed'
        Get-CommitCount $repo | Should -Be $before
        ($all | Out-String) + ($errs | Out-String) | Should -Not -Match 'not-the-token'
    }

    It 'pushes with -GitCredential and never stores or prints the token' {
        $candidate = New-Candidate (New-AppManifest $repo 'web' -RepoUrl $httpUrl)

        $all = $candidate | Update-HelmImageTag -WorkingDirectory $repo.Cache -GitCredential $good -Verbose 4>&1
        $result = $all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }

        $result.Status | Should -Be 'Updated'
        $result.Repository | Should -Be $httpUrl
        (Invoke-Git -C $repo.Bare show main:apps/web/values.yaml) -join "`n" | Should -Match 'tag: 1\.1\.0'
        ($all | Out-String) | Should -Not -Match 'hunter2'
        Get-ChildItem $repo.Cache -Recurse -File -Filter config | ForEach-Object { Get-Content $_.FullName -Raw } | Should -Not -Match 'hunter2'
        (Invoke-Git -C $repo.Bare log -1 '--format=%B' main) -join "`n" | Should -Not -Match 'hunter2'
    }

    It 'retries when another writer pushes between our fetch and our push, keeping both commits' {
        $restart = Start-Emulator git-http @('--root', (Split-Path $repo.Bare), '--user', 'bot', '--password', 'hunter2-token', '--race', 'gitops.git:main')
        try {
            $before = Get-CommitCount $repo
            $url = $restart.url + 'gitops.git'
            $candidate = New-Candidate (New-AppManifest $repo 'api' -RepoUrl $url)

            $result = $candidate | Update-HelmImageTag -WorkingDirectory (Join-Path $repo.Root 'cache-race') -GitCredential $good

            $result.Status | Should -Be 'Updated'
            $result.Message | Should -Match 'after 1 rejected push'
            Get-CommitCount $repo | Should -Be ($before + 2)
            (Invoke-Git -C $repo.Bare show main:concurrent-writer.txt) | Should -Match '^landed at'
            (Invoke-Git -C $repo.Bare show main:apps/api/values.yaml) -join "`n" | Should -Match 'tag: 1\.1\.0'
        }
        finally { $restart.Stop() }
    }

    It 'names -GitCredential when an HTTPS repository has no credentials' {
        $candidate = New-Candidate (New-AppManifest $repo 'web' @{ 'write-back-method' = 'git:secret:argocd/git-creds' } -RepoUrl $httpUrl)
        $null = $candidate | Update-HelmImageTag -WorkingDirectory $repo.Cache -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $errs[0].Exception.Message | Should -Match '-GitCredential'
    }
}

Describe 'The seed''s flow: Get-ArgoApplication | Find-EcrTag | Update-HelmImageTag' {
    BeforeAll {
        $script:ecrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
        $seedFile = Join-Path $TestDrive 'ecr-seed.json'
        '{"repositories":[{"name":"team/web","images":[{"tags":["1.4.2"],"pushedAt":1700000100},{"tags":["1.4.7"],"pushedAt":1700000200},{"tags":["2.0.0"],"pushedAt":1700000300}]}]}' | Set-Content $seedFile
        $script:ecr = Start-Emulator ecr @('--seed', $seedFile, '--key', 'AKIAGITFLOW000000001:flow-secret')
        $script:aws = @{ AccessKey = 'AKIAGITFLOW000000001'; SecretKey = (ConvertTo-SecureString 'flow-secret' -AsPlainText -Force); Region = 'us-east-1'; EndpointUrl = $ecr.url }
    }
    AfterAll { if ($ecr) { $ecr.Stop() } }

    It 'commits the newest allowed tag with the seed''s message on git.branch' {
        $repo = New-GitOpsRepository 'web' -Values "image:`n  repository: $ecrHost/team/web`n  tag: 1.4.2`n"
        $manifest = New-AppManifest $repo 'web' @{
            'image-list'          = "web=$ecrHost/team/web:~1.4"
            'web.helm.image-tag'  = 'image.tag'
            'nginx.helm.image-tag' = 'image.tag'
            'git.branch'          = 'main'
            'git.commit-message'  = 'イメージのタグを {{ .tag }} に更新しました'
        }
        Add-Content $manifest "status:`n  summary:`n    images:`n      - $ecrHost/team/web:1.4.2"

        $result = Get-ArgoApplication -Path $manifest | Find-EcrTag @aws -WarningAction SilentlyContinue | Update-HelmImageTag -WorkingDirectory $repo.Cache

        $result.Status | Should -Be 'Updated'
        $result.OldTag | Should -Be '1.4.2'
        $result.NewTag | Should -Be '1.4.7'
        (Invoke-Git -C $repo.Bare log -1 '--format=%s' main) | Should -Be 'イメージのタグを 1.4.7 に更新しました'
        (Invoke-Git -C $repo.Bare show main:apps/web/values.yaml) -join "`n" | Should -Be "image:`n  repository: $ecrHost/team/web`n  tag: 1.4.7"
    }
}

Describe 'Update-HelmImageTag -GitCredential: one credential per repository, sent only where it is bound' {
    BeforeAll {
        # Two owners, two servers, two tokens; each server counts the requests that carried an Authorization header.
        $script:repoA = New-GitOpsRepository 'web', 'api'
        $script:repoB = New-GitOpsRepository 'web', 'api'
        $script:serverA = Start-Emulator git-http @('--root', (Split-Path $repoA.Bare), '--user', 'owner-a', '--password', 'TOKEN-A-S3CRET-71d2')
        $script:serverB = Start-Emulator git-http @('--root', (Split-Path $repoB.Bare), '--user', 'owner-b', '--password', 'TOKEN-B-S3CRET-82e3')
        $script:urlA = $serverA.url + 'gitops.git'
        $script:urlB = $serverB.url + 'gitops.git'
        $script:credA = [pscredential]::new('owner-a', (ConvertTo-SecureString 'TOKEN-A-S3CRET-71d2' -AsPlainText -Force))
        $script:credB = [pscredential]::new('owner-b', (ConvertTo-SecureString 'TOKEN-B-S3CRET-82e3' -AsPlainText -Force))
        function Get-Stats($Server) { Invoke-RestMethod ($Server.url + '_stats') }
    }
    AfterAll { if ($serverA) { $serverA.Stop() }; if ($serverB) { $serverB.Stop() } }

    It 'writes to the repositories of two owners in one run with a map of URL prefix to credential' {
        $candidates = @(
            New-Candidate (New-AppManifest $repoA 'web' -RepoUrl $urlA)
            New-Candidate (New-AppManifest $repoB 'web' -RepoUrl $urlB)
        )
        # The server-wide prefix of A holds a wrong token: the longer repository prefix must win.
        $wrong = [pscredential]::new('owner-a', (ConvertTo-SecureString 'WRONG-TOKEN-93f4' -AsPlainText -Force))
        $map = @{ $serverA.url = $wrong; $urlA = $credA; $serverB.url = $credB }

        $all = $candidates | Update-HelmImageTag -WorkingDirectory $repoA.Cache -GitCredential $map -Verbose 4>&1 -ErrorVariable errs
        $results = $all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }

        $errs.Count | Should -Be 0
        $results.Status | Should -Be 'Updated', 'Updated'
        (Invoke-Git -C $repoA.Bare show main:apps/web/values.yaml) -join "`n" | Should -Match 'tag: 1\.1\.0'
        (Invoke-Git -C $repoB.Bare show main:apps/web/values.yaml) -join "`n" | Should -Match 'tag: 1\.1\.0'
        $text = ($all | Out-String) + ($errs | Out-String)
        $text | Should -Not -Match 'TOKEN-A|TOKEN-B|WRONG-TOKEN'
        Get-ChildItem $repoA.Cache -Recurse -File -Filter config | ForEach-Object { Get-Content $_.FullName -Raw } | Should -Not -Match 'TOKEN-|WRONG-TOKEN'
        (Invoke-Git -C $repoB.Bare log -1 '--format=%B%an%ae' main) -join "`n" | Should -Not -Match 'TOKEN-'
    }

    It 'does not send a plain -GitCredential to a host named only by a git-repository annotation: no Authorization header reaches it' {
        $before = Get-Stats $serverB
        $commits = Get-CommitCount $repoB
        # The application's own repoURL is on server A; its annotation points the write-back at server B.
        $candidate = New-Candidate (New-AppManifest $repoA 'api' @{ 'git-repository' = $urlB } -RepoUrl $urlA)

        $all = $candidate | Update-HelmImageTag -WorkingDirectory $repoA.Cache -GitCredential $credB -ErrorVariable errs -ErrorAction SilentlyContinue -Verbose 4>&1
        $result = $all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }

        $after = Get-Stats $serverB
        $after.authorizationHeaders | Should -Be $before.authorizationHeaders
        $after.requests | Should -Be $before.requests
        $result.Status | Should -Be 'Failed'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GitCredentialNotBound,*'
        $errs[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $errs[0].Exception.Message | Should -Match '-GitCredentialScope'
        $errs[0].Exception.Message | Should -Match 'argocd/api'
        ($all | Out-String) + ($errs | Out-String) | Should -Not -Match 'TOKEN-B'
        Get-CommitCount $repoB | Should -Be $commits
    }

    It 'sends it there once the operator binds the host with -GitCredentialScope' {
        $candidate = New-Candidate (New-AppManifest $repoA 'api' @{ 'git-repository' = $urlB } -RepoUrl $urlA)

        $result = $candidate | Update-HelmImageTag -WorkingDirectory $repoA.Cache -GitCredential $credB -GitCredentialScope $serverB.url

        $result.Status | Should -Be 'Updated'
        $result.Repository | Should -Be $urlB
        (Invoke-Git -C $repoB.Bare show main:apps/api/values.yaml) -join "`n" | Should -Match 'tag: 1\.1\.0'
    }

    It 'uses the environment credential under the same rule' {
        $before = Get-Stats $serverB
        $candidate = New-Candidate (New-AppManifest $repoA 'api' @{ 'git-repository' = $urlB } -RepoUrl $urlA)
        $saved = $env:IMAGEUPDATER_GIT_USERNAME, $env:IMAGEUPDATER_GIT_PASSWORD
        try {
            $env:IMAGEUPDATER_GIT_USERNAME = 'owner-b'; $env:IMAGEUPDATER_GIT_PASSWORD = 'TOKEN-B-S3CRET-82e3'
            $null = $candidate | Update-HelmImageTag -WorkingDirectory $repoA.Cache -ErrorVariable errs -ErrorAction SilentlyContinue
        }
        finally { $env:IMAGEUPDATER_GIT_USERNAME, $env:IMAGEUPDATER_GIT_PASSWORD = $saved }

        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GitCredentialNotBound,*'
        (Get-Stats $serverB).authorizationHeaders | Should -Be $before.authorizationHeaders
    }

    It 'refuses a local repository named by a git-repository annotation unless -AllowLocalRepository' {
        $local = New-GitOpsRepository 'web'
        $commits = Get-CommitCount $local
        $manifest = New-AppManifest $local 'web' @{ 'git-repository' = $local.Bare } -RepoUrl 'https://git.example.invalid/team/gitops.git'

        $result = New-Candidate $manifest | Update-HelmImageTag -WorkingDirectory $local.Cache -ErrorVariable errs -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'Failed'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GitLocalRepositoryRefused,*'
        $errs[0].Exception.Message | Should -Match '-AllowLocalRepository'
        Get-CommitCount $local | Should -Be $commits

        $allowed = New-Candidate $manifest | Update-HelmImageTag -WorkingDirectory $local.Cache -AllowLocalRepository
        $allowed.Status | Should -Be 'Updated'
        Get-CommitCount $local | Should -Be ($commits + 1)
    }

    It 'refuses a map value that is not a credential without echoing it' {
        # In a variable, as a script would hold it: the error view shows the source line, which must not be what leaks.
        $token = 'PLAINTEXT-S3CRET-04a5'
        { Update-HelmImageTag -Candidate (New-Candidate (New-AppManifest $repoA 'web' -RepoUrl $urlA)) -GitCredential @{ $urlA = $token } -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*must be a PSCredential*'
        $Error[0] | Out-String | Should -Not -Match 'PLAINTEXT-S3CRET'
    }
}
