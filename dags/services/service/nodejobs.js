// The job the node_jobs DAG runs: prints the conf it was given. Not a DAG module (it does not
// import updraft), so discovery never loads it.
const conf = JSON.parse(process.argv[2] || "{}");
console.log(`nodejobs started with conf ${JSON.stringify(conf)} as DB user "${process.env.DB_USER ?? ""}"`);
