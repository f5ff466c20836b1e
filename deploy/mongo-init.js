// Initiates the replica set rs0 of docker-compose.yml once; run again, it changes nothing.
/* global rs, db, print, sleep -- mongosh globals: this script runs inside mongosh, not Node */
try {
  rs.status();
  print('replica set rs0 already initiated');
} catch (error) {
  if (error.codeName !== 'NotYetInitialized') throw error;
  rs.initiate({ _id: 'rs0', members: [{ _id: 0, host: 'mongo1:27017' }, { _id: 1, host: 'mongo2:27017' }, { _id: 2, host: 'mongo3:27017' }] });
  print('replica set rs0 initiated');
}
// Wait until the set has a primary, so the bots' index creation at start finds one. Any member may
// win the election, so wait for a primary to be known rather than for mongo1 to be it; without
// one after a minute, fail, so the bots (which wait for this script) do not start against no primary.
let primary;
for (let i = 0; i < 60 && !(primary = db.hello().primary); i++) sleep(1000);
if (!primary) throw new Error('replica set rs0 has no primary after 60 s');
print(`replica set rs0 primary: ${primary}`);
