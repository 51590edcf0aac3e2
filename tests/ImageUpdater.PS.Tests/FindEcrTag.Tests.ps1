BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $script:Host_ = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    $seed = Join-Path $TestDrive 'ecr-seed.json'
    @'
{"repositories":[{"name":"team/app","images":[
  {"tags":["1.4.2"],"pushedAt":1700000100},
  {"tags":["1.4.7"],"pushedAt":1700000200},
  {"tags":["1.5.0-rc.1"],"pushedAt":1700000300},
  {"tags":["2.0.0","latest"],"pushedAt":1700000400},
  {"tags":["main-0fedcba"],"pushedAt":1700000450},
  {"tags":["main-abc1234"],"pushedAt":1700000500},
  {"tags":["3.0.0"],"pushedAt":1700000050,"platforms":["linux/amd64"]}]},
 {"name":"team/other","images":[{"tags":["0.1.0"],"pushedAt":1700000000}]}]}
'@ | Set-Content $seed
    $script:Emulator = Start-Emulator ecr @('--seed', $seed, '--key', 'AKIAPESTER0000000001:pester-secret',
        '--key', 'ASIAPESTER0000000002:session-secret:session-token', '--key', 'ASIAPESTEREXPIRED003:old-secret:old-token',
        '--expired-token', 'old-token', '--key', 'AKIAPESTERDENIED0004:denied-secret', '--deny', 'AKIAPESTERDENIED0004')
    $script:Aws = @{
        AccessKey   = 'AKIAPESTER0000000001'
        SecretKey   = ConvertTo-SecureString 'pester-secret' -AsPlainText -Force
        Region      = 'us-east-1'
        EndpointUrl = $Emulator.url
    }
    function Get-EmulatorStats { Invoke-RestMethod "$($Emulator.url)__emulator/stats" }
    function Reset-EmulatorStats { $null = Invoke-RestMethod -Method Delete "$($Emulator.url)__emulator/stats" }

    # Keeps the AWS environment of this process out of the tests, restoring it afterwards.
    $script:AwsVariables = 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_EC2_METADATA_DISABLED'
    $script:SavedEnvironment = @{}
    foreach ($name in $AwsVariables) { $SavedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $null) }
    $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $TestDrive 'no-credentials'
    $env:AWS_CONFIG_FILE = Join-Path $TestDrive 'no-config'
    $env:AWS_EC2_METADATA_DISABLED = 'true'
}

AfterAll {
    if ($Emulator) { $Emulator.Stop() }
    foreach ($name in $AwsVariables) { [Environment]::SetEnvironmentVariable($name, $SavedEnvironment[$name]) }
}

Describe 'Find-EcrTag -Repository: strategies and filters' {
    It 'semver without a constraint: highest release first, pre-releases and non-versions left out' {
        $tags = Find-EcrTag -Repository team/app @Aws
        $tags.Tag | Should -Be @('3.0.0', '2.0.0', '1.4.7', '1.4.2')
        $tags[0].PSObject.TypeNames[0] | Should -Be 'ImageUpdater.ImageTag'
        $tags[0].Registry | Should -Be $Host_
        $tags[0].Digest | Should -Match '^sha256:[0-9a-f]{64}$'
        $tags[1].PushedAt | Should -Be ([DateTimeOffset]::FromUnixTimeSeconds(1700000400))
    }

    It 'semver with a constraint, and -First 1 as the winner' {
        (Find-EcrTag team/app '~1.4' @Aws).Tag | Should -Be @('1.4.7', '1.4.2')
        (Find-EcrTag -RepositoryName team/app -Constraint '~1.4' -First 1 @Aws).Tag | Should -Be '1.4.7'
    }

    It 'semver with a pre-release constraint admits the release candidate' {
        (Find-EcrTag team/app -Constraint '>=1.5.0-0 <2.0.0' -First 1 @Aws).Tag | Should -Be '1.5.0-rc.1'
    }

    It 'newest-build: most recently pushed first' {
        (Find-EcrTag team/app -UpdateStrategy newest-build -First 2 @Aws).Tag | Should -Be @('main-abc1234', 'main-0fedcba')
    }

    It 'newest-build with allow-tags regexp' {
        (Find-EcrTag team/app -UpdateStrategy newest-build -AllowTags 'regexp:^[0-9.]+$' -First 1 @Aws).Tag | Should -Be '2.0.0'
    }

    It 'the deprecated name latest still works, with a warning' {
        (Find-EcrTag team/app -UpdateStrategy latest -First 1 -WarningVariable warned -WarningAction SilentlyContinue @Aws).Tag | Should -Be 'main-abc1234'
        $warned[0] | Should -Match 'newest-build'
    }

    It 'alphabetical: last in lexical order wins and the constraint is ignored' {
        (Find-EcrTag team/app -UpdateStrategy alphabetical -Constraint '~1.4' -First 1 @Aws).Tag | Should -Be 'main-abc1234'
        (Find-EcrTag team/app -UpdateStrategy alphabetical -AllowTags 'regexp:^[0-9]' -First 2 @Aws).Tag | Should -Be @('3.0.0', '2.0.0')
    }

    It 'digest: the constraint names the tag, whose digest is returned' {
        $all = Find-EcrTag team/app @Aws
        $tracked = Find-EcrTag team/app -UpdateStrategy digest -Constraint latest @Aws
        $tracked.Tag | Should -Be 'latest'
        $tracked.Digest | Should -Be ($all | Where-Object Tag -EQ '2.0.0').Digest
    }

    It 'ignore-tags globs drop tags' {
        (Find-EcrTag team/app -IgnoreTags '3.*', '2.?.?' -First 1 @Aws).Tag | Should -Be '1.4.7'
    }

    It 'platforms are checked on manifest lists' {
        (Find-EcrTag team/app -Platform linux/arm64 -First 1 @Aws).Tag | Should -Be '2.0.0'
        (Find-EcrTag team/app -Platform linux/amd64 -First 1 @Aws).Tag | Should -Be '3.0.0'
    }

    It 'warns, with the reason, when no tag qualifies' {
        Find-EcrTag team/app -Constraint '~9' -WarningVariable warned -WarningAction SilentlyContinue @Aws | Should -BeNullOrEmpty
        $warned[0] | Should -Match 'team/app: no tag qualifies'
    }

    It 'takes a full ECR image name, whose host gives account and region' {
        $aws = $Aws.Clone(); $aws.Remove('Region')
        (Find-EcrTag "$Host_/team/app" -Constraint '^1' -First 1 @aws).Tag | Should -Be '1.4.7'
    }

    It 'shows a default table view, grouped under the repository' {
        $text = Find-EcrTag team/app -First 2 @Aws | Out-String
        $text | Should -Match 'Repository: team/app'
        $text | Should -Match 'Tag\s+PushedAt\s+SizeMB\s+Digest\s+Platforms'
        $text | Should -Match '3\.0\.0\s+.*sha256:'
    }

    It 'lists a repository with one DescribeImages call and says so with -Verbose' {
        Reset-EmulatorStats
        $verbose = Find-EcrTag team/app @Aws -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        (Get-EmulatorStats).DescribeImages | Should -Be 1
        ($verbose.Message -join "`n") | Should -Match 'ECR DescribeImages team/app'
        ($verbose.Message -join "`n") | Should -Match 'Registry requests: ecr DescribeImages 1'
        ($verbose.Message -join "`n") | Should -Match 'ECR region us-east-1 \(from -Region\), endpoint http://127\.0\.0\.1:\d+/, credentials from -AccessKey/-SecretKey'
        ($verbose.Message -join "`n") | Should -Not -Match 'pester-secret'
    }
}

Describe 'Find-EcrTag with Applications from Get-ArgoApplication' {
    BeforeAll {
        $apps = Join-Path $TestDrive 'apps'
        $null = New-Item -ItemType Directory $apps -Force
        @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: app=$Host_/team/app:~1.4, cache=docker.io/library/redis
spec:
  project: shop
  source:
    repoURL: https://git.example.com/gitops.git
    path: apps/web
    targetRevision: main
    helm:
      parameters:
        - name: image.tag
          value: 1.4.2
"@ | Set-Content (Join-Path $apps 'web.yaml')
        @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: api
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: app=$Host_/team/app:~1.4, other=$Host_/team/other, forced=$Host_/team/other
    argocd-image-updater.argoproj.io/forced.force-update: "true"
spec:
  project: shop
  source:
    repoURL: https://git.example.com/gitops.git
    path: apps/api
    targetRevision: main
    kustomize: {}
status:
  summary:
    images:
      - $Host_/team/app:1.4.7
"@ | Set-Content (Join-Path $apps 'api.yaml')
    }

    It 'returns one candidate per ECR image, warns about the others, and lists each repository once' {
        Reset-EmulatorStats
        $candidates = Get-ArgoApplication -Path $apps | Find-EcrTag @Aws -WarningVariable warned -WarningAction SilentlyContinue
        $candidates | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ImageUpdater.ImageUpdateCandidate' }
        $web = $candidates | Where-Object Application -EQ 'web'
        $web.Alias | Should -Be 'app'
        $web.CurrentTag | Should -Be '1.4.2'
        $web.NewTag | Should -Be '1.4.7'
        $web.UpdateNeeded | Should -BeTrue
        $web.Reason | Should -Match 'helm parameter image.tag'

        $api = @($candidates | Where-Object Application -EQ 'api')
        $api.Alias | Should -Be @('app', 'other', 'forced')
        $api[0].CurrentTag | Should -Be '1.4.7'
        $api[0].UpdateNeeded | Should -BeFalse
        $api[1].UpdateNeeded | Should -BeFalse
        $api[1].Reason | Should -Match '^skipped: .*not running.*other\.force-update'
        $api[2].NewTag | Should -Be '0.1.0'
        $api[2].UpdateNeeded | Should -BeTrue

        @($warned).Count | Should -Be 1
        $warned[0] | Should -Match 'web: docker.io/library/redis is not an Amazon ECR image'
        $stats = Get-EmulatorStats
        $stats.DescribeImages | Should -Be 2
    }

    It 'shows a default table view of candidates' {
        $text = Get-ArgoApplication -Path (Join-Path $apps 'web.yaml') | Find-EcrTag @Aws -WarningAction SilentlyContinue | Out-String -Width 200
        $text | Should -Match 'Application\s+Image\s+CurrentTag\s+NewTag\s+Update\s+Reason'
        $text | Should -Match 'web\s+app\s+1\.4\.2\s+1\.4\.7\s+True'
    }

    It 'reports a failing image as a non-terminating error and goes on with the next application' {
        $bad = Join-Path $TestDrive 'bad.yaml'
        (Get-Content (Join-Path $apps 'web.yaml') -Raw).Replace('team/app', 'team/missing').Replace('name: web', 'name: broken') | Set-Content $bad
        $result = Get-ArgoApplication -Path $bad, (Join-Path $apps 'web.yaml') | Find-EcrTag @Aws -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $result.Application | Should -Be 'web'
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'EcrRepositoryNotFound,*'
        $errs[0].Exception.Message | Should -Match "^broken: $([regex]::Escape($Host_))/team/missing: The ECR repository 'team/missing' does not exist"
    }
}

Describe 'Find-EcrTag credentials and region' {
    AfterEach {
        foreach ($name in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE') { [Environment]::SetEnvironmentVariable($name, $null) }
    }

    It 'uses the environment through the default chain when no credential is given' {
        $env:AWS_ACCESS_KEY_ID = 'AKIAPESTER0000000001'; $env:AWS_SECRET_ACCESS_KEY = 'pester-secret'; $env:AWS_REGION = 'us-east-1'
        (Find-EcrTag team/app -First 1 -EndpointUrl $Emulator.url).Tag | Should -Be '3.0.0'
    }

    It 'prefers -AccessKey/-SecretKey over the environment' {
        $env:AWS_ACCESS_KEY_ID = 'AKIAUNKNOWN000000000'; $env:AWS_SECRET_ACCESS_KEY = 'nope'
        (Find-EcrTag team/app -First 1 @Aws).Tag | Should -Be '3.0.0'
    }

    It 'signs temporary credentials with -SessionToken' {
        $token = ConvertTo-SecureString 'session-token' -AsPlainText -Force
        $secret = ConvertTo-SecureString 'session-secret' -AsPlainText -Force
        (Find-EcrTag team/app -First 1 -AccessKey ASIAPESTER0000000002 -SecretKey $secret -SessionToken $token -Region us-east-1 -EndpointUrl $Emulator.url).Tag | Should -Be '3.0.0'
    }

    It 'reads a named profile (and its region) with -ProfileName, ahead of the environment' {
        $file = Join-Path $TestDrive 'credentials'
        "[emulator]`naws_access_key_id = AKIAPESTER0000000001`naws_secret_access_key = pester-secret`nregion = us-east-1`n" | Set-Content $file
        $env:AWS_ACCESS_KEY_ID = 'AKIAUNKNOWN000000000'; $env:AWS_SECRET_ACCESS_KEY = 'nope'
        (Find-EcrTag team/app -First 1 -ProfileName emulator -ProfileLocation $file -EndpointUrl $Emulator.url).Tag | Should -Be '3.0.0'
    }

    It 'says when a named profile does not exist' {
        Find-EcrTag team/app -ProfileName nosuch -ProfileLocation (Join-Path $TestDrive 'credentials') -EndpointUrl $Emulator.url -Region us-east-1 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'AwsProfileNotFound,*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'accepts an AWSCredentials object, also one from another copy of AWSSDK.Core' {
        $sdk = Get-ChildItem (Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages/awssdk.core') -Recurse -Filter AWSSDK.Core.dll |
            Where-Object { $_.FullName -match '[\\/]lib[\\/]net8\.0[\\/]' } | Select-Object -First 1
        if (-not $sdk) {
            if (Test-IsCI) { throw 'AWSSDK.Core is not in the NuGet cache under CI=true.' }
            Set-ItResult -Skipped -Because 'no AWSSDK.Core in the NuGet cache to stand in for AWS.Tools'
            return
        }
        # Loaded into the default context, as AWS.Tools would be: not the module's own copy.
        Add-Type -Path $sdk.FullName
        $credential = [Amazon.Runtime.BasicAWSCredentials]::new('AKIAPESTER0000000001', 'pester-secret')
        (Find-EcrTag team/app -First 1 -Credential $credential -Region us-east-1 -EndpointUrl $Emulator.url).Tag | Should -Be '3.0.0'
    }

    It '-Region wins over AWS_REGION' {
        $env:AWS_REGION = 'eu-west-1'
        (Find-EcrTag team/app -First 1 @Aws).Tag | Should -Be '3.0.0'
    }

    It 'the image host region wins over AWS_REGION' {
        $env:AWS_REGION = 'eu-west-1'
        $aws = $Aws.Clone(); $aws.Remove('Region')
        (Find-EcrTag "$Host_/team/app" -First 1 @aws).Tag | Should -Be '3.0.0'
    }

    It 'AWS_DEFAULT_REGION is read when AWS_REGION is absent' {
        $env:AWS_DEFAULT_REGION = 'us-east-1'
        $aws = $Aws.Clone(); $aws.Remove('Region')
        (Find-EcrTag team/app -First 1 @aws).Tag | Should -Be '3.0.0'
    }

    It 'a region the endpoint does not serve is reported as such' {
        $env:AWS_REGION = 'eu-west-1'
        $aws = $Aws.Clone(); $aws.Remove('Region')
        Find-EcrTag team/app @aws -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'EcrWrongRegion,*'
        $errs[0].Exception.Message | Should -Match '-Region'
    }

    It 'no region anywhere is an error that says where to give one' {
        $aws = $Aws.Clone(); $aws.Remove('Region')
        Find-EcrTag team/app @aws -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'AwsRegionMissing,*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'Find-EcrTag: the image''s own region, AWS Tools shell defaults, plain-string secrets and errors that say what to do' {
    BeforeAll {
        $tokyoSeed = Join-Path $TestDrive 'tokyo-seed.json'
        '{"repositories":[{"name":"team/app","images":[{"tags":["9.1.0"],"pushedAt":1700000100}]}]}' | Set-Content $tokyoSeed
        $script:Tokyo = Start-Emulator ecr @('--seed', $tokyoSeed, '--region', 'ap-northeast-1', '--key', 'AKIAPESTER0000000001:pester-secret')
        $script:TokyoHost = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com'
    }
    AfterAll { if ($Tokyo) { $Tokyo.Stop() } }
    AfterEach {
        foreach ($name in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN') { [Environment]::SetEnvironmentVariable($name, $null) }
        Remove-Variable -Name StoredAWSRegion, StoredAWSCredentials -Scope Global -ErrorAction Ignore
    }

    It 'a full ECR reference is signed for its host''s region, whatever -Region says (each region of a fleet right)' {
        # Each emulator checks the SigV4 scope region: us-east-1 for bare names, ap-northeast-1 for the Tokyo image.
        (Find-EcrTag "$TokyoHost/team/app" -First 1 -AccessKey AKIAPESTER0000000001 -SecretKey 'pester-secret' -Region us-east-1 -EndpointUrl $Tokyo.url -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Out-String) | Should -Match 'ECR region ap-northeast-1 \(from the registry host\)'
        (Find-EcrTag "$TokyoHost/team/app" -First 1 -AccessKey AKIAPESTER0000000001 -SecretKey 'pester-secret' -Region us-east-1 -EndpointUrl $Tokyo.url).Tag | Should -Be '9.1.0'
        (Find-EcrTag team/app -First 1 -AccessKey AKIAPESTER0000000001 -SecretKey 'pester-secret' -Region us-east-1 -EndpointUrl $Emulator.url).Tag | Should -Be '3.0.0'
        (Find-EcrTag "$Host_/team/app" -First 1 -AccessKey AKIAPESTER0000000001 -SecretKey 'pester-secret' -Region ap-northeast-1 -EndpointUrl $Emulator.url).Tag | Should -Be '3.0.0'
    }

    It '$StoredAWSRegion (Set-DefaultAWSRegion) is the default region and $StoredAWSCredentials (Set-AWSCredential) the default credentials' {
        $global:StoredAWSRegion = 'us-east-1'
        $global:StoredAWSCredentials = [pscustomobject]@{ Name = 'shell'; Credentials = [Amazon.Runtime.BasicAWSCredentials]::new('AKIAPESTER0000000001', 'pester-secret') }
        $env:AWS_ACCESS_KEY_ID = 'AKIAUNKNOWN000000000'; $env:AWS_SECRET_ACCESS_KEY = 'nope'; $env:AWS_REGION = 'eu-west-1'
        (Find-EcrTag team/app -First 1 -EndpointUrl $Emulator.url).Tag | Should -Be '3.0.0'
        # Parameters still win over the shell defaults.
        Find-EcrTag team/app -First 1 -AccessKey AKIAUNKNOWN000000000 -SecretKey 'nope' -EndpointUrl $Emulator.url -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'EcrCredentialsNotRecognized,*'
    }

    It '-SecretKey and -SessionToken take plain strings too, and the secret is never in verbose text, errors or $Error''s bound parameters' {
        $secret = 'session-secret'; $token = 'session-token'
        $verbose = Find-EcrTag team/app -First 1 -AccessKey ASIAPESTER0000000002 -SecretKey $secret -SessionToken $token -Region us-east-1 -EndpointUrl $Emulator.url -Verbose 4>&1
        ($verbose | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Tag | Should -Be '3.0.0'
        ($verbose | Out-String) | Should -Not -Match 'session-secret|session-token'

        $wrong = 'wrong-secret-0001'
        Find-EcrTag team/app -AccessKey AKIAPESTER0000000001 -SecretKey $wrong -Region us-east-1 -EndpointUrl $Emulator.url -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'EcrInvalidSignature,*'
        ($errs[0] | Format-List * -Force | Out-String) | Should -Not -Match 'wrong-secret-0001'
        ($errs[0].InvocationInfo.BoundParameters.Values | Out-String) | Should -Not -Match 'wrong-secret-0001'
    }

    It 'an unknown -ProfileName is the first thing said, with the profiles that exist' {
        $file = Join-Path $TestDrive 'credentials-two'
        "[ci-bot]`naws_access_key_id = AKIAPESTER0000000001`naws_secret_access_key = pester-secret`n`n[prod]`naws_access_key_id = AKIAPESTER0000000001`naws_secret_access_key = pester-secret`n" | Set-Content $file
        Find-EcrTag team/app -ProfileName nosuch -ProfileLocation $file -EndpointUrl $Emulator.url -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'AwsProfileNotFound,*'
        $errs[0].Exception.Message | Should -Match "The AWS profile 'nosuch' does not exist; profiles found: ci-bot, prod \(in .*credentials-two\)"
    }

    It 'no credentials: one line per source tried, without the SDK''s own messages' {
        Find-EcrTag team/app -First 1 -Region us-east-1 -EndpointUrl $Emulator.url -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'AwsCredentialsNotFound,*'
        $message = $errs[0].Exception.Message
        $message | Should -Match 'Tried:'
        $message | Should -Match '(?m)^  environment AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: none set$'
        $message | Should -Match "(?m)^  shared profile 'default' in .*no-config and .*no-credentials: not found$"
        $message | Should -Match '(?m)^  web identity AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN: none set$'
        $message | Should -Match '(?m)^  EC2 instance metadata: turned off by AWS_EC2_METADATA_DISABLED$'
        $message | Should -Not -Match 'webIdentityTokenFile|Parameter '''
    }
}

Describe 'Find-EcrTag error categories' {
    It 'a missing repository is ObjectNotFound' {
        Find-EcrTag team/none @Aws -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'EcrRepositoryNotFound,*'
        $errs[0].TargetObject | Should -Be 'team/none'
    }

    It 'a wrong secret key is an AuthenticationError that does not echo it' {
        $aws = $Aws.Clone(); $aws.SecretKey = ConvertTo-SecureString 'wrong-secret' -AsPlainText -Force
        Find-EcrTag team/app @aws -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'EcrInvalidSignature,*'
        $errs[0].Exception.Message | Should -Not -Match 'wrong-secret|pester-secret|Canonical'
    }

    It 'an unknown access key is an AuthenticationError' {
        $aws = $Aws.Clone(); $aws.AccessKey = 'AKIAUNKNOWN000000000'
        Find-EcrTag team/app @aws -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'EcrCredentialsNotRecognized,*'
    }

    It 'an expired session says so and how to refresh, without the token' {
        $token = ConvertTo-SecureString 'old-token' -AsPlainText -Force
        $secret = ConvertTo-SecureString 'old-secret' -AsPlainText -Force
        Find-EcrTag team/app -AccessKey ASIAPESTEREXPIRED003 -SecretKey $secret -SessionToken $token -Region us-east-1 -EndpointUrl $Emulator.url -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'EcrCredentialsExpired,*'
        $errs[0].Exception.Message | Should -Match 'expired.*refresh'
        $errs[0].Exception.Message | Should -Not -Match 'old-token'
    }

    It 'an IAM deny is PermissionDenied and names the action to grant' {
        $aws = $Aws.Clone(); $aws.AccessKey = 'AKIAPESTERDENIED0004'; $aws.SecretKey = ConvertTo-SecureString 'denied-secret' -AsPlainText -Force
        Find-EcrTag team/app @aws -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $errs[0].Exception.Message | Should -Match 'grant ecr:DescribeImages'
    }

    It 'a bad -EndpointUrl stops the command' {
        { Find-EcrTag team/app -AccessKey x -SecretKey $Aws.SecretKey -Region us-east-1 -EndpointUrl 'not a url' } | Should -Throw -ErrorId 'EndpointUrlInvalid,*'
    }
}

Describe 'Find-EcrTag under throttling' {
    BeforeAll {
        $seed = Join-Path $TestDrive 'throttle-seed.json'
        '{"repositories":[{"name":"team/app","images":[{"tags":["1.0.0"]}]}]}' | Set-Content $seed
        $script:Flaky = Start-Emulator ecr @('--seed', $seed, '--key', 'AKIAPESTER0000000001:pester-secret', '--throttle-first', '2', '--fail-first', '1', '--retry-after', '0')
        $script:Throttled = Start-Emulator ecr @('--seed', $seed, '--key', 'AKIAPESTER0000000001:pester-secret', '--throttle-rate', '1', '--retry-after', '0')
        $script:Burst = Start-Emulator ecr @('--seed', $seed, '--key', 'AKIAPESTER0000000001:pester-secret', '--throttle-first', '7')
    }
    AfterAll {
        if ($Burst) { $Burst.Stop() }
        if ($Flaky) { $Flaky.Stop() }
        if ($Throttled) { $Throttled.Stop() }
    }

    It 'retries throttling and server errors, then succeeds, and says so with -Verbose' {
        $aws = $Aws.Clone(); $aws.EndpointUrl = $Flaky.url
        $out = Find-EcrTag team/app @aws -Verbose 4>&1
        ($out | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Tag | Should -Be '1.0.0'
        $verbose = ($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $verbose | Should -Match 'ThrottlingException'
        $verbose | Should -Match 'HTTP 500'
        $verbose | Should -Match '3 retried'
        (Invoke-RestMethod "$($Flaky.url)__emulator/stats").DescribeImages | Should -Be 4
    }

    It 'gives up after bounded tries with LimitsExceeded' {
        $aws = $Aws.Clone(); $aws.EndpointUrl = $Throttled.url
        Find-EcrTag team/app @aws -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'EcrThrottled,*'
        # Retry-After 0 makes every wait zero, so the try cap (not the 30 s budget) ends the loop.
        (Invoke-RestMethod "$($Throttled.url)__emulator/stats").DescribeImages | Should -Be 12
        $errs[0].Exception.Message | Should -Match 'after retrying for up to 30 s'
    }

    It 'Item 16: outlasts a burst of 7 throttled answers (5 quick tries used to give up) and says how long it retries' {
        $aws = $Aws.Clone(); $aws.EndpointUrl = $Burst.url
        $out = Find-EcrTag team/app @aws -Verbose 4>&1
        ($out | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Tag | Should -Be '1.0.0'
        $verbose = ($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $verbose | Should -Match 'retries for up to 30 s'
        (Invoke-RestMethod "$($Burst.url)__emulator/stats").DescribeImages | Should -Be 8
    }
}

Describe 'Find-EcrTag pipeline binding' {
    It 'binds repository objects by property name (RepositoryName, RegistryId)' {
        $tags = [pscustomobject]@{ RepositoryName = 'team/app'; RegistryId = '123456789012' } | Find-EcrTag -Constraint '~1.4' @Aws
        $tags.Tag | Should -Be @('1.4.7', '1.4.2')
    }

    It 'says what it needs when given neither a repository nor applications' {
        { Find-EcrTag @Aws } | Should -Throw -ErrorId 'RepositoryOrApplicationMissing,*'
    }
}

Describe 'Find-EcrTag streams pipeline input through one run cache' {
    BeforeAll {
        # Six repositories at 150 ms per request, twelve applications in the order r0 r1 … r5 r0 …: looked up one at a time
        # this takes twelve round trips; concurrently, three repositories at a time, each listed once.
        $script:Slow = Start-Emulator ecr @('--key', 'AKIAPESTER0000000001:pester-secret', '--latency-ms', '150',
            '--images', 'team/r0=3', '--images', 'team/r1=3', '--images', 'team/r2=3', '--images', 'team/r3=3', '--images', 'team/r4=3', '--images', 'team/r5=3')
        $script:SlowAws = $Aws.Clone(); $SlowAws.EndpointUrl = $Slow.url
        $script:Fleet = Join-Path $TestDrive 'stream-apps'
        $null = New-Item -ItemType Directory $Fleet -Force
        foreach ($i in 0..11) {
            @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: $('app{0:D2}' -f $i)
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: web=$($Slow.registry)/team/r$($i % 6)
spec:
  project: shop
  source:
    repoURL: https://git.example.com/gitops.git
    path: apps/$i
"@ | Set-Content (Join-Path $Fleet ('app{0:D2}.yaml' -f $i))
        }
    }
    AfterAll { if ($Slow) { $Slow.Stop() } }

    It 'Applications: -ThrottleLimit repositories in flight, one listing per repository, results in input order' {
        $null = Invoke-RestMethod -Method Delete "$($Slow.url)__emulator/stats"
        $candidates = @(Get-ArgoApplication -Path $Fleet | Find-EcrTag -ThrottleLimit 3 @SlowAws)
        $candidates.Application | Should -Be @(0..11 | ForEach-Object { 'app{0:D2}' -f $_ })
        $candidates.NewTag | Should -Be @(1..12 | ForEach-Object { '1.0.2' })
        $stats = Invoke-RestMethod "$($Slow.url)__emulator/stats"
        $stats.DescribeImages | Should -Be 6
        $stats.peakInFlight | Should -Be 3
    }

    It 'repository objects: looked up concurrently, each one''s tags together, in input order' {
        $null = Invoke-RestMethod -Method Delete "$($Slow.url)__emulator/stats"
        $tags = @(5, 0, 3, 1 | ForEach-Object { [pscustomobject]@{ RepositoryName = "team/r$_" } } | Find-EcrTag -UpdateStrategy alphabetical -First 1 @SlowAws)
        $tags.Repository | Should -Be @('team/r5', 'team/r0', 'team/r3', 'team/r1')
        $stats = Invoke-RestMethod "$($Slow.url)__emulator/stats"
        $stats.DescribeImages | Should -Be 4
        $stats.peakInFlight | Should -BeGreaterThan 1
    }
}

Describe 'Find-EcrTag: the endpoint and credentials every command routes by' {
    It 'calls AWS_ENDPOINT_URL_ECR when -EndpointUrl is not given' {
        $aws = $Aws.Clone(); $aws.Remove('EndpointUrl')
        $env:AWS_ENDPOINT_URL_ECR = $Emulator.url
        try { (Find-EcrTag team/app -Constraint '~1.4' -First 1 @aws).Tag | Should -Be '1.4.7' }
        finally { $env:AWS_ENDPOINT_URL_ECR = $null }
    }

    It 'an ECR image with a pull-secret annotation is read through the distribution API with those credentials' {
        $conf = Join-Path $TestDrive 'ecr-registries.conf'
        "registries:`n- name: ECR`n  api_url: $($Emulator.url.TrimEnd('/'))`n  prefix: $Host_`n" | Set-Content $conf
        $login = Get-EcrAuthorizationToken @Aws
        $app = Join-Path $TestDrive 'pull-ecr.yaml'
        @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: pull
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: web=$Host_/team/app:~1.4, other=$Host_/team/other
    argocd-image-updater.argoproj.io/web.pull-secret: env:IU_PESTER_ECR_PULL
spec:
  project: shop
  source:
    repoURL: https://git.example.com/gitops.git
    path: apps/pull
"@ | Set-Content $app
        $env:IU_PESTER_ECR_PULL = 'AWS:' + $login.GetNetworkCredential().Password
        try { $result = @(Get-ArgoApplication -Path $app | Find-EcrTag -RegistriesConfig $conf -AllowPullSecret 'env:IU_PESTER_ECR_PULL' @Aws -ErrorVariable errs -ErrorAction SilentlyContinue) }
        finally { $env:IU_PESTER_ECR_PULL = $null }
        $result.Alias | Should -Be 'web'
        $result.NewTag | Should -Be '1.4.7'
        # The other image's registry is named in registries.conf without credentials: the registry refuses it.
        $errs.Count | Should -Be 1
        $errs[0].Exception.Message | Should -Match 'pull: .*team/other: '
        $errs[0].Exception.Message | Should -Not -Match ([regex]::Escape($login.GetNetworkCredential().Password))
    }
}
