# Get-ArgoApplication and Invoke-ImageUpdater both declare the application-source block (and with it the Argo CD server
# block), so that help and completion see the parameters; ApplicationSourceParameters maps them once. This keeps the two
# declarations from drifting apart.
BeforeDiscovery {
    $script:Blocks = @(
        @{ Block = 'Argo CD server'; Names = @('Server', 'Token', 'SkipCertificateCheck', 'Connection') }
        @{ Block = 'application source'; Names = @('Path', 'Recurse', 'AppNamespace', 'Kubeconfig', 'Context', 'Namespace', 'Name', 'Project', 'Selector', 'ImageUpdater') }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    # What must be the same wherever the parameter is declared: type, validation and completion, sets and mandatory-ness.
    # Aliases count only between declarations that both bind from the pipeline by property name (FullName, PSPath serve Get-ChildItem input).
    function Get-Declaration([string] $Command, [string] $Parameter) {
        $p = (Get-Command $Command).Parameters[$Parameter]
        if (-not $p) { return $null }
        $sets = $p.ParameterSets.GetEnumerator() | Sort-Object Key | ForEach-Object { "$($_.Key):$($_.Value.IsMandatory)" }
        $checks = $p.Attributes | Where-Object {
            $_ -is [System.Management.Automation.ValidateArgumentsAttribute] -or $_ -is [System.Management.Automation.ArgumentTransformationAttribute] -or
            $_ -is [System.Management.Automation.ArgumentCompleterAttribute] -or $_ -is [System.Management.Automation.SupportsWildcardsAttribute]
        } | ForEach-Object {
            $detail = switch ($_) {
                { $_ -is [System.Management.Automation.ValidateRangeAttribute] } { "$($_.MinRange)..$($_.MaxRange)" }
                { $_ -is [System.Management.Automation.ValidateSetAttribute] } { $_.ValidValues -join ',' }
                { $_ -is [System.Management.Automation.ValidatePatternAttribute] } { $_.RegexPattern }
                { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] } { "$($_.Type)" }
                default { '' }
            }
            "$($_.GetType().Name)($detail)"
        } | Sort-Object
        $byName = @($p.ParameterSets.Values | Where-Object ValueFromPipelineByPropertyName).Count -gt 0
        [pscustomobject]@{
            Type    = $p.ParameterType.FullName
            Sets    = $sets -join '; '
            Checks  = $checks -join '; '
            ByName  = $byName
            Aliases = ($p.Aliases | Sort-Object) -join ','
        }
    }
}

Describe 'The <Block> block' -ForEach $Blocks {
    It '-<_> is declared alike by Get-ArgoApplication and Invoke-ImageUpdater' -ForEach $Names {
        $get = Get-Declaration 'Get-ArgoApplication' $_
        $invoke = Get-Declaration 'Invoke-ImageUpdater' $_
        $get | Should -Not -BeNullOrEmpty -Because "Get-ArgoApplication declares -$_"
        $invoke | Should -Not -BeNullOrEmpty -Because "Invoke-ImageUpdater declares -$_"
        $invoke.Type | Should -Be $get.Type -Because "-$_ has one type"
        $invoke.Checks | Should -Be $get.Checks -Because "-$_ has the same validation and completion"
        $invoke.Sets | Should -Be $get.Sets -Because "-$_ belongs to the same parameter sets, as mandatory or not"
        if ($get.ByName -eq $invoke.ByName) {
            $invoke.Aliases | Should -Be $get.Aliases -Because "-$_ has the same aliases"
        }
    }
}

Describe 'The Argo CD server block of Connect-ArgoCD' {
    It '-<_> is the one Get-ArgoApplication declares (one base class)' -ForEach @('Server', 'Token', 'SkipCertificateCheck', 'Connection') {
        $connect = Get-Declaration 'Connect-ArgoCD' $_
        $get = Get-Declaration 'Get-ArgoApplication' $_
        $connect.Type | Should -Be $get.Type
        $connect.Checks | Should -Be $get.Checks
    }
}

# Invoke-ImageUpdater cannot derive from RegistryCmdletBase (its -Kubeconfig and -Context read Applications, and are
# mandatory in their own set), so it declares the registry block again; RegistrySettings maps both the same way.
Describe 'The registry block of Invoke-ImageUpdater' {
    It '-<_> is declared like the look-up cmdlets declare it (RegistryCmdletBase)' -ForEach @('RegistriesConfig', 'RegistryCredential', 'ThrottleLimit', 'AllowPullSecret', 'AllowTokenRealm') {
        $find = Get-Declaration 'Find-ImageTag' $_
        $invoke = Get-Declaration 'Invoke-ImageUpdater' $_
        $find | Should -Not -BeNullOrEmpty -Because "Find-ImageTag declares -$_"
        $invoke | Should -Not -BeNullOrEmpty -Because "Invoke-ImageUpdater declares -$_"
        $invoke.Type | Should -Be $find.Type -Because "-$_ has one type"
        $invoke.Checks | Should -Be $find.Checks -Because "-$_ has the same validation and completion"
        $invoke.Aliases | Should -Be $find.Aliases -Because "-$_ has the same aliases"
    }
}

# Get-ArgoImageUpdater reads resources from the same places Get-ArgoApplication reads Applications from, and
# Test-ArgoImageUpdater lints the way Test-ImageUpdaterAnnotation does; each declares its own parameters (other sets,
# other pipeline input), so only what a user relies on being alike is compared: type, validation and completion.
# -Name is left out on purpose: it names resources, not Applications, so it has no Application-name completer.
Describe 'The parameters the ImageUpdater resource cmdlets share with the Application cmdlets' {
    It '<Command> -<Parameter> is declared like <Like> -<Parameter>' -ForEach @(
        @{ Command = 'Get-ArgoImageUpdater'; Like = 'Get-ArgoApplication'; Parameter = 'Path' }
        @{ Command = 'Get-ArgoImageUpdater'; Like = 'Get-ArgoApplication'; Parameter = 'Recurse' }
        @{ Command = 'Get-ArgoImageUpdater'; Like = 'Get-ArgoApplication'; Parameter = 'Kubeconfig' }
        @{ Command = 'Get-ArgoImageUpdater'; Like = 'Get-ArgoApplication'; Parameter = 'Context' }
        @{ Command = 'Get-ArgoImageUpdater'; Like = 'Get-ArgoApplication'; Parameter = 'Selector' }
        @{ Command = 'Test-ArgoImageUpdater'; Like = 'Test-ImageUpdaterAnnotation'; Parameter = 'Path' }
        @{ Command = 'Test-ArgoImageUpdater'; Like = 'Test-ImageUpdaterAnnotation'; Parameter = 'Recurse' }
        @{ Command = 'Test-ArgoImageUpdater'; Like = 'Test-ImageUpdaterAnnotation'; Parameter = 'ErrorsOnly' }
    ) {
        $mine = Get-Declaration $Command $Parameter
        $theirs = Get-Declaration $Like $Parameter
        $mine | Should -Not -BeNullOrEmpty -Because "$Command declares -$Parameter"
        $theirs | Should -Not -BeNullOrEmpty -Because "$Like declares -$Parameter"
        $mine.Type | Should -Be $theirs.Type -Because "-$Parameter has one type"
        $mine.Checks | Should -Be $theirs.Checks -Because "-$Parameter has the same validation and completion"
        if ($mine.ByName -and $theirs.ByName) {
            $mine.Aliases | Should -Be $theirs.Aliases -Because "-$Parameter binds the same properties from the pipeline"
        }
    }
}

# Update-HelmImageTag (its Candidate set) and Invoke-ImageUpdater both declare the Git host block; GitHostParameters maps it once.
Describe 'The Git host block' {
    It '-<_> is declared alike by Update-HelmImageTag and Invoke-ImageUpdater' -ForEach @('GitHost', 'GitHostUrl', 'GitHostToken', 'PullRequest', 'WriteBackTransport') {
        $update = Get-Declaration 'Update-HelmImageTag' $_
        $invoke = Get-Declaration 'Invoke-ImageUpdater' $_
        $update | Should -Not -BeNullOrEmpty -Because "Update-HelmImageTag declares -$_"
        $invoke | Should -Not -BeNullOrEmpty -Because "Invoke-ImageUpdater declares -$_"
        $invoke.Type | Should -Be $update.Type -Because "-$_ has one type"
        $invoke.Checks | Should -Be $update.Checks -Because "-$_ has the same validation and completion"
    }
}
