/**
 * Staff sessions for HTTP tests: creates an account in the running bot's store and signs it in
 * over POST /api/agent/login, returning the bearer token and the Set-Cookie it was given.
 */
import { createAgentAccount } from '../../server/auth/agent-accounts';
import type { AgentPool, Agents, StaffRole } from '../../storage/ports';

export interface StaffSession {
  readonly token: string;
  /** The Set-Cookie header of the sign-in response, if any. */
  readonly setCookie?: string;
}

export async function signInStaff(botUrl: string, agents: Agents, name: string, role: StaffRole, pool: AgentPool = 'expert'): Promise<StaffSession> {
  const { password } = await createAgentAccount(agents, { name, pool, role });
  const response = await fetch(`${botUrl}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  if (response.status !== 200) throw new Error(`sign-in of ${name} answered ${response.status}: ${await response.text()}`);
  const { token } = (await response.json()) as { token: string };
  return { token, setCookie: response.headers.get('set-cookie') ?? undefined };
}
