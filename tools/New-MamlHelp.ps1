<#
.SYNOPSIS
    Generates en-US/ImageUpdater.PS.dll-Help.xml (MAML) from docs/<Cmdlet>.md and the built module's own metadata.
.DESCRIPTION
    platyPS is not available here, so this is a small generator of our own. Each docs/<Verb-Noun>.md has the sections
    '## SYNOPSIS', '## DESCRIPTION', '## PARAMETERS' ('### -Name' each), '## EXAMPLES' ('### Title', a fenced
    powershell block, remarks), '## INPUTS', '## OUTPUTS' ('### TypeName' each, text), '## NOTES' and '## RELATED LINKS'
    ('- [Text](uri)' or '- Cmdlet-Name' each; the cmdlet's HelpUri comes first as 'Online Version:', for Get-Help -Online). Parameter types,
    sets, positions and pipeline input come from Get-Command on the built module, so they cannot drift from the code.
    docs/about_*.md become en-US/about_*.help.txt.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DocsPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$commonParameters = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

function Read-HelpMarkdown([string] $file) {
    $doc = @{ Synopsis = ''; Description = ''; Parameters = @{}; Examples = [System.Collections.Generic.List[object]]::new(); Inputs = [ordered]@{}; Outputs = [ordered]@{}; Notes = ''; Links = [System.Collections.Generic.List[object]]::new() }
    $section = $null; $sub = $null; $buffer = [System.Collections.Generic.List[string]]::new()
    $flush = {
        $text = ($buffer -join "`n").Trim()
        switch ($section) {
            'SYNOPSIS' { $doc.Synopsis = $text }
            'DESCRIPTION' { $doc.Description = $text }
            'NOTES' { $doc.Notes = $text }
            'RELATED LINKS' {
                foreach ($item in $text -split '\r?\n' | ForEach-Object { $_.Trim() -replace '^[-*]\s+', '' } | Where-Object { $_ }) {
                    $m = [regex]::Match($item, '^\[(.+?)\]\((.*?)\)$')
                    # A link to a sibling docs/<Cmdlet>.md is shown as the cmdlet's name, which Get-Help resolves itself.
                    if ($m.Success -and $m.Groups[2].Value -notmatch '^[\w-]+\.md$') { $doc.Links.Add([pscustomobject]@{ Text = $m.Groups[1].Value; Uri = $m.Groups[2].Value }) }
                    elseif ($m.Success) { $doc.Links.Add([pscustomobject]@{ Text = $m.Groups[1].Value; Uri = '' }) }
                    else { $doc.Links.Add([pscustomobject]@{ Text = $item; Uri = '' }) }
                }
            }
            'PARAMETERS' { if ($sub) { $doc.Parameters[$sub.TrimStart('-')] = $text } }
            'INPUTS' { if ($sub) { $doc.Inputs[$sub] = $text } }
            'OUTPUTS' { if ($sub) { $doc.Outputs[$sub] = $text } }
            'EXAMPLES' {
                if ($sub) {
                    $m = [regex]::Match($text, '(?s)```(?:powershell|ps1|pwsh)?\s*\n(.*?)\n```(.*)')
                    $code = if ($m.Success) { $m.Groups[1].Value.Trim() } else { '' }
                    $remarks = if ($m.Success) { $m.Groups[2].Value.Trim() } else { $text }
                    $doc.Examples.Add([pscustomobject]@{ Title = $sub; Code = $code; Remarks = $remarks })
                }
            }
        }
        $buffer.Clear()
    }
    $inFence = $false
    foreach ($line in (Get-Content -LiteralPath $file)) {
        if ($line -match '^```') { $inFence = -not $inFence }
        if (-not $inFence -and $line -match '^## (.+)$') { & $flush; $section = $Matches[1].Trim().ToUpperInvariant(); $sub = $null; continue }
        if (-not $inFence -and $line -match '^### (.+)$') { & $flush; $sub = $Matches[1].Trim(); continue }
        if (-not $inFence -and $line -match '^# ') { continue }
        $buffer.Add($line)
    }
    & $flush
    return $doc
}

function Write-Paras([System.Xml.XmlWriter] $w, [string] $text) {
    # Blank lines separate paragraphs; each '- ' bullet is a paragraph of its own, so a list is not run together.
    $paras = @(($text -split "\r?\n\s*\r?\n") | ForEach-Object { $_ -split '\r?\n(?=\s*[-*] )' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
    if (-not $paras) { $paras = @('') }
    foreach ($p in $paras) { $w.WriteElementString('maml', 'para', 'http://schemas.microsoft.com/maml/2004/10', ($p -replace '\s*\r?\n\s*', ' ')) }
}

Import-Module $ModulePath -Force
$module = Get-Module ImageUpdater.PS
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$cmd = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'

$outDir = Join-Path $ModulePath 'en-US'
$null = New-Item -ItemType Directory -Path $outDir -Force
$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$target = Join-Path $outDir 'ImageUpdater.PS.dll-Help.xml'
$w = [System.Xml.XmlWriter]::Create($target, $settings)
$w.WriteStartDocument()
$w.WriteStartElement('helpItems', 'http://msh')
$w.WriteAttributeString('schema', 'maml')
$missing = @()
foreach ($command in ($module.ExportedCmdlets.Values | Sort-Object Name)) {
    $mdFile = Join-Path $DocsPath "$($command.Name).md"
    if (-not (Test-Path $mdFile)) { $missing += $command.Name; continue }
    $doc = Read-HelpMarkdown $mdFile
    $w.WriteStartElement('command', 'command', $cmd)
    $w.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $w.WriteAttributeString('xmlns', 'dev', $null, $dev)
    $w.WriteStartElement('command', 'details', $cmd)
    $w.WriteElementString('command', 'name', $cmd, $command.Name)
    $w.WriteElementString('command', 'verb', $cmd, $command.Verb)
    $w.WriteElementString('command', 'noun', $cmd, $command.Noun)
    $w.WriteStartElement('maml', 'description', $maml); Write-Paras $w $doc.Synopsis; $w.WriteEndElement()
    $w.WriteEndElement()
    $w.WriteStartElement('maml', 'description', $maml); Write-Paras $w $doc.Description; $w.WriteEndElement()

    $writeParameter = {
        param($p, $set)
        $w.WriteStartElement('command', 'parameter', $cmd)
        $w.WriteAttributeString('required', $(if ($set -and $set.IsMandatory) { 'true' } else { 'false' }))
        $w.WriteAttributeString('variableLength', 'true')
        $globbing = [bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
        $w.WriteAttributeString('globbing', $globbing.ToString().ToLowerInvariant())
        $pipe = @()
        if ($set -and $set.ValueFromPipeline) { $pipe += 'ByValue' }
        if ($set -and $set.ValueFromPipelineByPropertyName) { $pipe += 'ByPropertyName' }
        $w.WriteAttributeString('pipelineInput', $(if ($pipe) { "True ($($pipe -join ', '))" } else { 'False' }))
        $w.WriteAttributeString('position', $(if ($set -and $set.Position -ge 0) { [string] $set.Position } else { 'named' }))
        $w.WriteAttributeString('aliases', $(if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'none' }))
        $w.WriteElementString('maml', 'name', $maml, $p.Name)
        $w.WriteStartElement('maml', 'description', $maml)
        Write-Paras $w $(if ($doc.Parameters.ContainsKey($p.Name)) { $doc.Parameters[$p.Name] } else { '' })
        $w.WriteEndElement()
        $typeName = $p.ParameterType.Name
        if ($p.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
            $w.WriteStartElement('command', 'parameterValue', $cmd)
            $w.WriteAttributeString('required', 'true')
            $w.WriteAttributeString('variableLength', 'false')
            $w.WriteString($typeName)
            $w.WriteEndElement()
        }
        $w.WriteStartElement('dev', 'type', $dev); $w.WriteElementString('maml', 'name', $maml, $typeName); $w.WriteEndElement()
        $w.WriteElementString('dev', 'defaultValue', $dev, 'None')
        $w.WriteEndElement()
    }

    $w.WriteStartElement('command', 'syntax', $cmd)
    # A dispatch set (one that only holds the parameters every set has, like Find-EcrTag's default) says nothing a reader can use.
    $shared = @($command.ParameterSets[0].Parameters.Name)
    foreach ($other in $command.ParameterSets) { $shared = @($shared | Where-Object { $other.Parameters.Name -contains $_ }) }
    $sets = @($command.ParameterSets | Where-Object { $command.ParameterSets.Count -eq 1 -or @($_.Parameters.Name | Where-Object { $shared -notcontains $_ }).Count -gt 0 })
    foreach ($set in $sets) {
        $w.WriteStartElement('command', 'syntaxItem', $cmd)
        $w.WriteElementString('maml', 'name', $maml, $command.Name)
        foreach ($sp in $set.Parameters | Where-Object { $commonParameters -notcontains $_.Name }) {
            & $writeParameter $command.Parameters[$sp.Name] $sp
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'parameters', $cmd)
    foreach ($p in $command.Parameters.Values | Where-Object { $commonParameters -notcontains $_.Name } | Sort-Object Name) {
        $first = $command.ParameterSets | ForEach-Object { $_.Parameters | Where-Object Name -EQ $p.Name } | Select-Object -First 1
        & $writeParameter $p $first
    }
    $w.WriteEndElement()

    foreach ($kind in @(@{ Outer = 'inputTypes'; Inner = 'inputType'; Items = $doc.Inputs }, @{ Outer = 'returnValues'; Inner = 'returnValue'; Items = $doc.Outputs })) {
        $w.WriteStartElement('command', $kind.Outer, $cmd)
        foreach ($entry in $kind.Items.GetEnumerator()) {
            $w.WriteStartElement('command', $kind.Inner, $cmd)
            $w.WriteStartElement('dev', 'type', $dev); $w.WriteElementString('maml', 'name', $maml, $entry.Key); $w.WriteEndElement()
            $w.WriteStartElement('maml', 'description', $maml); Write-Paras $w $entry.Value; $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }

    $w.WriteStartElement('maml', 'alertSet', $maml)
    $w.WriteStartElement('maml', 'alert', $maml); Write-Paras $w $doc.Notes; $w.WriteEndElement()
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'examples', $cmd)
    $n = 0
    foreach ($example in $doc.Examples) {
        $n++
        $w.WriteStartElement('command', 'example', $cmd)
        $w.WriteElementString('maml', 'title', $maml, "-------------------------- $($example.Title) --------------------------")
        $w.WriteElementString('dev', 'code', $dev, $example.Code)
        $w.WriteStartElement('dev', 'remarks', $dev); Write-Paras $w $example.Remarks; $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'relatedLinks', $cmd)
    $links = @()
    if ($command.HelpUri) { $links += [pscustomobject]@{ Text = 'Online Version:'; Uri = $command.HelpUri } }
    $links += $doc.Links
    foreach ($link in $links) {
        $w.WriteStartElement('maml', 'navigationLink', $maml)
        $w.WriteElementString('maml', 'linkText', $maml, $link.Text)
        $w.WriteElementString('maml', 'uri', $maml, $link.Uri)
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndElement()
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Dispose()

foreach ($about in Get-ChildItem $DocsPath -Filter 'about_*.md' -ErrorAction SilentlyContinue) {
    Copy-Item $about.FullName (Join-Path $outDir ($about.BaseName + '.help.txt')) -Force
}
if ($missing) { Write-Warning "No help markdown in docs/ for: $($missing -join ', ')" }
