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
// Wait for a primary, so the bots' index creation at start finds one.
for (let i = 0; i < 60 && !db.hello().isWritablePrimary; i++) sleep(1000);
