/**
 * The catalogue's rule ids, in catalogue order, apart from the rules themselves: reading a
 * suppressions file checks its rule ids without loading every rule (the summarize function reads the
 * file but never assesses). test/catalogue.test.ts keeps this list equal to the registry.
 */
export const RULE_IDS: readonly string[] = [
  'CAL-DS-01', 'CAL-DS-02', 'CAL-DS-03', 'CAL-DS-04', 'CAL-DS-05',
  'CAL-RT-01', 'CAL-RT-02', 'CAL-RT-03', 'CAL-RT-04', 'CAL-RT-05', 'CAL-RT-06', 'CAL-RT-07',
  'CAL-AWS-01', 'CAL-AWS-02', 'CAL-AWS-03', 'CAL-AWS-04', 'CAL-AWS-05', 'CAL-AWS-06', 'CAL-AWS-07',
  'CAL-BGP-01', 'CAL-BGP-02', 'CAL-BGP-03', 'CAL-BGP-04', 'CAL-BGP-05',
  'CAL-IPAM-01', 'CAL-IPAM-02', 'CAL-IPAM-03', 'CAL-IPAM-04',
  'CAL-POL-01', 'CAL-POL-02', 'CAL-POL-03', 'CAL-POL-04', 'CAL-POL-05', 'CAL-POL-06',
  'CAL-ENC-01', 'CAL-DP-01', 'CAL-OBS-01', 'CAL-OBS-02',
  'EKS-01', 'EKS-02', 'EKS-03', 'EKS-04',
];
