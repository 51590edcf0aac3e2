# Update-HelmImageTag and Update-KustomizeImage through the built module: what a user sees in files, output, -WhatIf and errors.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:HaveCorpus = [bool](Get-SharedDataPath)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    function New-TestFile([string] $Name, [string] $Text) {
        $path = Join-Path $TestDrive $Name
        $null = New-Item -ItemType Directory -Path (Split-Path $path) -Force
        [System.IO.File]::WriteAllText($path, $Text)
        return $path
    }

    function Get-Text([string] $Path) { [System.IO.File]::ReadAllText($Path) }

    # -WhatIf writes "What if: …" to the host, which only a child process can capture as text.
    function Invoke-WhatIf([string] $Command) {
        $module = Get-TestModulePath
        $out = & (Get-PwshPath) -NoProfile -NonInteractive -Command "Import-Module '$module'; $Command" 2>&1
        return ($out | Out-String)
    }
}

Describe 'Update-HelmImageTag' {
    It 'changes only the tag scalar, keeping comments, quoting and spacing' {
        $file = New-TestFile 'values.yaml' "# app`nimage:`n  repository: nginx  # repo`n  tag: `"1.27.1`"  # pinned`n`nreplicas: 2"
        Update-HelmImageTag -Path $file -Tag 1.27.5 | Should -BeNullOrEmpty
        Get-Text $file | Should -BeExactly "# app`nimage:`n  repository: nginx  # repo`n  tag: `"1.27.5`"  # pinned`n`nreplicas: 2"
    }

    It 'returns Updated results with the diff under -PassThru and shows them in the default table' {
        $file = New-TestFile 'list.yaml' "images:`n- repository: a`n  tag: v1`n- repository: b`n  tag: v1`n"
        $result = Update-HelmImageTag -Path $file -ImageTagKey 'images[1].tag' -Tag 1.10 -PassThru
        $result.pstypenames[0] | Should -Be 'ImageUpdater.ImageUpdateResult'
        $result.Status | Should -Be 'Updated'
        $result.OldTag | Should -Be 'v1'
        $result.NewTag | Should -Be '1.10'
        $result.Target | Should -Be $file
        $result.Diff | Should -Match '(?m)^\+  tag: "1\.10"$'
        Get-Text $file | Should -BeExactly "images:`n- repository: a`n  tag: v1`n- repository: b`n  tag: `"1.10`"`n"
        $table = $result | Format-Table | Out-String -Width 200
        $table | Should -Match 'OldTag\s+NewTag\s+Status\s+Target'
        $table | Should -Match 'v1\s+1\.10\s+Updated'
    }

    It 'keeps a BOM, CRLF line endings and a missing final newline byte for byte' {
        $file = Join-Path $TestDrive 'bom.yaml'
        $utf8 = [System.Text.UTF8Encoding]::new($false)
        $bom = [byte[]](0xEF, 0xBB, 0xBF)
        [System.IO.File]::WriteAllBytes($file, $bom + $utf8.GetBytes("# é`r`nimage:`r`n  tag: v1`r`n  pullPolicy: Always"))
        Update-HelmImageTag -Path $file -Tag v2
        [System.IO.File]::ReadAllBytes($file) | Should -Be ($bom + $utf8.GetBytes("# é`r`nimage:`r`n  tag: v2`r`n  pullPolicy: Always"))
        Update-HelmImageTag -Path $file -ImageTagKey image.digest -Tag 'sha256:ab'
        [System.IO.File]::ReadAllBytes($file) | Should -Be ($bom + $utf8.GetBytes("# é`r`nimage:`r`n  tag: v2`r`n  pullPolicy: Always`r`n  digest: sha256:ab"))
    }

    It 'writes the name and the tag, or a name:tag spec' {
        $file = New-TestFile 'spec.yaml' "web:`n  image: ghcr.io/acme/web:1.0.0`n  other:`n    repository: x`n    tag: 1`n"
        Update-HelmImageTag -Path $file -ImageSpecKey web.image -Tag 1.1.0
        Update-HelmImageTag -Path $file -ImageNameKey web.other.repository -Image ghcr.io/acme/other -ImageTagKey web.other.tag -Tag v2
        Get-Text $file | Should -BeExactly "web:`n  image: ghcr.io/acme/web:1.1.0`n  other:`n    repository: ghcr.io/acme/other`n    tag: v2`n"
    }

    It 'keeps a name that is the same image, and writes any other registry''s image in full' {
        $file = New-TestFile 'names.yaml' "a:`n  repository: bitnami/nginx`n  tag: 1`nb:`n  repository: image`n  tag: 1`nc:`n  repository: app`n  tag: 1`n"
        Update-HelmImageTag -Path $file -ImageNameKey a.repository -Image registry-1.docker.io/bitnami/nginx -ImageTagKey a.tag -Tag v2
        # 'image' names docker.io/library/image, not localhost:5000/image; a bare suffix such as 'app' used to be kept as a "short form".
        Update-HelmImageTag -Path $file -ImageNameKey b.repository -Image localhost:5000/image -ImageTagKey b.tag -Tag v2
        Update-HelmImageTag -Path $file -ImageNameKey c.repository -Image ghcr.io/org/app -ImageTagKey c.tag -Tag v2
        Get-Text $file | Should -BeExactly "a:`n  repository: bitnami/nginx`n  tag: v2`nb:`n  repository: localhost:5000/image`n  tag: v2`nc:`n  repository: ghcr.io/org/app`n  tag: v2`n"
    }

    It 'creates a missing key in the file''s indentation' {
        $file = New-TestFile 'indent4.yaml' "image:`n    repository: nginx`nother: 1`n"
        Update-HelmImageTag -Path $file -Tag v3
        Get-Text $file | Should -BeExactly "image:`n    repository: nginx`n    tag: v3`nother: 1`n"
    }

    It 'leaves an up-to-date file untouched and says Unchanged' {
        $file = New-TestFile 'same.yaml' "image:`r`n  tag: v1`r`n"
        $before = (Get-Item $file).LastWriteTimeUtc = [datetime]::new(2020, 1, 1, 0, 0, 0, [DateTimeKind]::Utc)
        $result = Update-HelmImageTag -Path $file -Tag v1 -PassThru
        $result.Status | Should -Be 'Unchanged'
        $result.Diff | Should -BeNullOrEmpty
        (Get-Item $file).LastWriteTimeUtc | Should -Be $before
    }

    It '-WhatIf prints the unified diff, returns WhatIf and writes nothing' {
        $file = New-TestFile 'whatif.yaml' "image:`n  tag: v1 # keep`n"
        $result = Update-HelmImageTag -Path $file -Tag v2 -WhatIf -PassThru
        $result.Status | Should -Be 'WhatIf'
        Get-Text $file | Should -BeExactly "image:`n  tag: v1 # keep`n"
        $shown = Invoke-WhatIf "Update-HelmImageTag -Path '$file' -Tag v2 -WhatIf"
        $shown | Should -Match 'What if: Update'
        $shown | Should -Match '(?m)^-  tag: v1 # keep'
        $shown | Should -Match '(?m)^\+  tag: v2 # keep'
        $shown | Should -Match '@@ -1,2 \+1,2 @@'
    }

    It 'reports <Id> as a <Category> error with line and column, leaves the file untouched and goes on' -ForEach @(
        @{ Id = 'YamlInvalid'; Category = 'InvalidData'; Text = "image:`n  tag: [v1`n"; Key = 'image.tag'; Where = ':3:1: ' }
        @{ Id = 'YamlPathIntoScalar'; Category = 'InvalidArgument'; Text = "image: nginx:1`n"; Key = 'image.tag'; Where = ':1:8: ' }
        @{ Id = 'YamlPathIntoSequence'; Category = 'InvalidArgument'; Text = "image:`n- tag: v1`n"; Key = 'image.tag'; Where = ':2:1: ' }
        @{ Id = 'YamlIndexOutOfRange'; Category = 'InvalidArgument'; Text = "images:`n- tag: v1`n"; Key = 'images[2].tag'; Where = ':2:1: ' }
        @{ Id = 'YamlDuplicateKey'; Category = 'InvalidData'; Text = "image:`n  tag: v1`n  tag: v2`n"; Key = 'image.tag'; Where = ':3:3: ' }
    ) {
        $bad = New-TestFile "bad-$Id.yaml" $Text
        $good = New-TestFile "good-$Id.yaml" "image:`n  tag: v1`nimages:`n- tag: v1`n- tag: v1`n- tag: v1`n"
        $results = Update-HelmImageTag -Path $bad, $good -ImageTagKey $Key -Tag v9 -PassThru -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $errs[0].CategoryInfo.Category | Should -Be $Category
        $errs[0].TargetObject | Should -Be $bad
        $errs[0].Exception.Message | Should -BeLike "*$Where*"
        Get-Text $bad | Should -BeExactly $Text
        $results.Status | Should -Be 'Updated'
        $results.Target | Should -Be $good
    }

    It 'refuses an alias bomb with LimitsExceeded' {
        $lines = @('a: &a [x, x, x, x, x, x, x, x, x, x]')
        foreach ($n in 'b', 'c', 'd', 'e', 'f', 'g') {
            $prev = [char]([int][char]$n - 1)
            $lines += "${n}: &$n [" + ((1..10 | ForEach-Object { "*$prev" }) -join ', ') + ']'
        }
        $text = ($lines + 'image:', '  tag: v1') -join "`n"
        $file = New-TestFile 'bomb.yaml' $text
        Update-HelmImageTag -Path $file -Tag v2 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'YamlAliasBomb,*'
        $errs[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        Get-Text $file | Should -BeExactly $text
    }

    It 'reports a missing path as ObjectNotFound' {
        Update-HelmImageTag -Path (Join-Path $TestDrive 'nope.yaml') -Tag v1 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'takes files from Get-ChildItem' {
        $dir = Join-Path $TestDrive 'many'
        $a = New-TestFile 'many/values-a.yaml' "image:`n  tag: v1`n"
        $b = New-TestFile 'many/values-b.yaml' "image:`n  tag: 'v1'`n"
        $results = Get-ChildItem $dir -Filter 'values-*.yaml' | Update-HelmImageTag -Tag v2 -PassThru
        $results.Status | Should -Be @('Updated', 'Updated')
        Get-Text $b | Should -BeExactly "image:`n  tag: 'v2'`n"
    }

    It 'edits the anchored block once in the real enterprise-logs values and names the alias' -Skip:(-not $HaveCorpus) {
        $file = Join-Path $TestDrive 'enterprise-logs.yaml'
        Copy-Item (Join-Path (Get-SharedDataPath) 'real-world/values-enterprise-logs.yaml') $file
        $before = Get-Content $file
        $result = Update-HelmImageTag -Path $file -Tag v1.6.0 -PassThru
        $result.Message | Should -Match 'loki-distributed\.loki\.image\.tag'
        $after = Get-Content $file
        @(Compare-Object $before $after).Count | Should -Be 2
    }
}

Describe 'Update-KustomizeImage' {
    It 'sets newTag of the entry and keeps the rest of the file' {
        $file = New-TestFile 'k1/kustomization.yaml' "resources:`n- a.yaml`n`nimages:`n- name: nginx # web`n  newTag: 1.0.0`n- name: redis`n  newTag: `"7.0`""
        $result = Update-KustomizeImage -Path (Split-Path $file) -Name nginx -Tag 1.1.0 -PassThru
        $result.Status | Should -Be 'Updated'
        $result.OldTag | Should -Be '1.0.0'
        $result.Image | Should -Be 'nginx'
        Get-Text $file | Should -BeExactly "resources:`n- a.yaml`n`nimages:`n- name: nginx # web`n  newTag: 1.1.0`n- name: redis`n  newTag: `"7.0`""
    }

    It 'creates the images list in the file''s sequence style' {
        $file = New-TestFile 'k2/kustomization.yml' "resources:`n  - ../../base`nnameSuffix: `"1`"`n"
        Update-KustomizeImage -Path (Split-Path $file) -Name nginx -NewName mirror/nginx -Tag 1.11.13
        Get-Text $file | Should -BeExactly "resources:`n  - ../../base`nnameSuffix: `"1`"`nimages:`n  - name: nginx`n    newName: mirror/nginx`n    newTag: 1.11.13`n"
    }

    It 'replaces a tag by a digest and previews it with -WhatIf' {
        $digest = 'sha256:' + ('a' * 64)
        $file = New-TestFile 'k3/Kustomization' "images:`n- name: web`n  newTag: v1`n"
        $shown = Invoke-WhatIf "Update-KustomizeImage -Path '$(Split-Path $file)' -Name web -Digest $digest -WhatIf"
        $shown | Should -Match "(?m)^\+  digest: $digest"
        $shown | Should -Match '(?m)^-  newTag: v1'
        Get-Text $file | Should -BeExactly "images:`n- name: web`n  newTag: v1`n"
        $result = Update-KustomizeImage -Path $file -Name web -Digest $digest -PassThru
        Get-Text $file | Should -BeExactly "images:`n- name: web`n  digest: $digest`n"
        # One result rule on every path: NewTag is the tag part (none here), NewDigest the digest; this used to show the bare digest as NewTag.
        $result.NewTag | Should -BeNullOrEmpty
        $result.NewDigest | Should -BeExactly $digest
    }

    It 'says Unchanged when the entry already has the values' {
        $file = New-TestFile 'k4/kustomization.yaml' "images:`n- name: web`n  newTag: v1`n"
        (Update-KustomizeImage -Path $file -Name web -Tag v1 -PassThru).Status | Should -Be 'Unchanged'
    }

    It 'needs something to set' {
        $file = New-TestFile 'k5/kustomization.yaml' "images: []`n"
        { Update-KustomizeImage -Path $file -Name web -ErrorAction Stop } | Should -Throw -ErrorId 'KustomizeNothingToSet,*'
    }

    It 'reports a folder without a kustomization, and several documents, per path' {
        $empty = Join-Path $TestDrive 'k6'
        $null = New-Item -ItemType Directory $empty
        $multi = New-TestFile 'k7/kustomization.yaml' "images: []`n---`nimages: []`n"
        Update-KustomizeImage -Path $empty, $multi -Name web -Tag v1 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 2
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'KustomizationNotFound,*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[1].FullyQualifiedErrorId | Should -BeLike 'KustomizationMultiDocument,*'
        $errs[1].CategoryInfo.Category | Should -Be 'InvalidData'
        Get-Text $multi | Should -BeExactly "images: []`n---`nimages: []`n"
    }

    It 'appends to the real kustomization-03-before without re-indenting it (upstream did)' -Skip:(-not $HaveCorpus) {
        $file = Join-Path $TestDrive 'k8/kustomization.yaml'
        $null = New-Item -ItemType Directory (Split-Path $file)
        Copy-Item (Join-Path (Get-SharedDataPath) 'real-world/kustomization-03-before.yaml') $file
        $before = Get-Text $file
        Update-KustomizeImage -Path (Split-Path $file) -Name nginx -Tag 1.11.13
        Get-Text $file | Should -BeExactly ($before + "images:`n  - name: nginx`n    newTag: 1.11.13`n")
    }
}
