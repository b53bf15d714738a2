/**
 * Recommendations as a plan (shared/spec/report.md, "How it reads"): a fix composed from the
 * cluster's own state across rules, steps in the order the work must be done (deadlines first,
 * dependencies before what needs them), a way to check each, and a two-sentence conclusion.
 */
import { describe, expect, it } from 'vitest';
import { assess } from '../src/assess/assess.js';
import { renderMarkdown } from '../src/render/markdown.js';
import { planOrder } from '../src/render/report/findings.js';
import { bySeverity } from '../src/render/text.js';
import { sampleDocument } from './helpers/fixtures.js';
import { sampleAssessment } from './helpers/reports.js';

describe('the CAL-RT-01 fix', () => {
  it('on a cluster whose groups refuse IP protocol 4, admits it for those groups before the pool change', () => {
    const assessment = sampleAssessment('native-multisubnet-srcdst');
    const ipip = assessment.facts.sgExceptions!.find((e) => e.name === 'IPIP' && e.family === 4)!;
    expect(ipip.reachability!.blockedCount).toBeGreaterThan(0);
    const groups = [...new Set(assessment.facts.topology.nodes!.flatMap((n) => n.securityGroupIds))];
    const fix = assessment.checks.find((c) => c.id === 'CAL-RT-01')!.remediation!;
    const poolChange = fix.indexOf('calicoctl patch ippool default-ipv4-ippool');
    expect(poolChange).toBeGreaterThan(-1);
    for (const group of groups) {
      const admit = fix.indexOf(`aws ec2 authorize-security-group-ingress --region eu-west-2 --group-id ${group} --ip-permissions 'IpProtocol=4,UserIdGroupPairs=[{GroupId=${group}}]'`);
      expect(admit, group).toBeGreaterThan(-1);
      expect(admit, `${group} admitted before the pool changes`).toBeLessThan(poolChange);
    }
    // The report shows it once, in the plan, with a way to check it.
    const markdown = renderMarkdown(assessment);
    expect(markdown.split('authorize-security-group-ingress').length - 1).toBe(groups.length);
    expect(markdown).toContain('calicoctl get ippool -o wide');
  });

  it('adds no security-group rule when the groups already admit IP protocol 4', () => {
    const doc = sampleDocument('native-multisubnet-srcdst');
    const nodeGroup = sampleAssessment('native-multisubnet-srcdst').facts.topology.nodes![0]!.securityGroupIds[0]!;
    const group = doc.aws.securityGroups!.find((g) => g.GroupId === nodeGroup)!;
    group.IpPermissions = [...(group.IpPermissions ?? []), { IpProtocol: '4', UserIdGroupPairs: [{ GroupId: group.GroupId }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] }];
    const fix = assess(doc).checks.find((c) => c.id === 'CAL-RT-01')!.remediation!;
    expect(fix).not.toContain('authorize-security-group-ingress');
    expect(fix).toContain('already admit IP-in-IP');
    expect(fix).toContain('calicoctl patch ippool default-ipv4-ippool');
  });
});

describe('the plan', () => {
  it('puts deadlines first, then the most severe, each after what it depends on', () => {
    const assessment = sampleAssessment('enterprise-vxlan');
    const findings = assessment.checks.filter((c) => c.status === 'fail' && !c.suppression).sort(bySeverity);
    const order = planOrder(findings).map((c) => c.id);
    expect(order).toHaveLength(findings.length);
    expect(order[0]).toBe('EKS-04'); // end of standard support: a date, before the high findings
    const native = planOrder(sampleAssessment('native-multisubnet-srcdst').checks.filter((c) => c.status === 'fail').sort(bySeverity)).map((c) => c.id);
    // Namespace policies before the default deny; src/dst off before CrossSubnet.
    expect(native.indexOf('CAL-POL-03')).toBeLessThan(native.indexOf('CAL-POL-01'));
    expect(native.indexOf('CAL-AWS-01')).toBeLessThan(native.indexOf('CAL-RT-01'));
  });

  it('opens with the immediate actions (critical, high, deadlines and what they need), then the rest', () => {
    for (const name of ['enterprise-vxlan', 'native-multisubnet-srcdst', 'ipv6-policy-only']) {
      const markdown = renderMarkdown(sampleAssessment(name));
      const plan = markdown.slice(markdown.indexOf('## 10. Recommendations'), markdown.indexOf('## 11.'));
      const ordered = planOrder(sampleAssessment(name).checks.filter((c) => c.status === 'fail' && !c.suppression).sort(bySeverity));
      const urgent = ordered.map((c) => c.deadline === true || c.severity === 'critical' || c.severity === 'high');
      const immediate = urgent.lastIndexOf(true) + 1;
      // Before the phase break: urgent steps, or steps an urgent one depends on; after it: neither.
      const needed = new Set(ordered.slice(0, immediate).filter((_, i) => urgent[i]).flatMap((c) => c.after ?? []));
      ordered.slice(0, immediate).forEach((c, i) => expect(urgent[i] || needed.has(c.id), `${name} step ${i + 1}`).toBe(true));
      if (immediate) expect(plan.indexOf('**Immediate actions:**'), name).toBeLessThan(plan.indexOf('### Step 1\n'));
      else expect(plan, name).not.toContain('**Immediate actions:**');
      if (immediate < ordered.length) {
        const later = plan.indexOf(immediate ? '**Then, as time allows:**' : '**As time allows:**');
        expect(later, name).toBeGreaterThan(immediate ? plan.indexOf(`### Step ${immediate}\n`) : -1);
        expect(later, name).toBeLessThan(plan.indexOf(`### Step ${immediate + 1}\n`));
      }
    }
  });

  it('gives each step its why, its dependencies and a check, and ends the report with a two-sentence conclusion naming the first step', () => {
    const markdown = renderMarkdown(sampleAssessment('native-multisubnet-srcdst'));
    const plan = markdown.slice(markdown.indexOf('## 10. Recommendations'), markdown.indexOf('## 11.'));
    const steps = plan.split('\n### Step ').slice(1);
    expect(steps.length).toBe(10);
    for (const step of steps) {
      expect(step).toContain('**Why:**');
      expect(step).toContain('Check:');
    }
    // Why: what the failure costs, the rule's own words, not its severity restated.
    const rt01 = steps.find((step) => step.includes('](#cal-rt-01)**'))!;
    expect(rt01).toContain('**Why:** Pods on different subnets cannot reach each other.');
    // Depends on: the step that turns the source/destination check off, linked.
    const dependency = /\*\*Depends on:\*\* \[step (\d+)\]\(#step-(\d+)\)/.exec(rt01)!;
    expect(dependency[1]).toBe(dependency[2]);
    expect(steps[Number(dependency[1]) - 1]).toContain('**[Source/destination check is on where pod traffic is unencapsulated](#cal-aws-01)**');
    expect(steps.indexOf(rt01)).toBeGreaterThan(Number(dependency[1]) - 1);
    const conclusion = markdown.slice(markdown.indexOf('## Conclusion')).split('\n').filter((l) => l && !l.startsWith('#')).join(' ');
    expect(markdown.trimEnd().endsWith(conclusion)).toBe(true);
    expect(conclusion.split(/(?<=\.) /)).toHaveLength(2);
    expect(conclusion).toContain('Start with step 1: Source/destination check is on where pod traffic is unencapsulated.');
  });
});
