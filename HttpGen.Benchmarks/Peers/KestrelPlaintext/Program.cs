// A minimal Kestrel app answering GET /plaintext like the EchoServer: "Hello, World!" as text/plain.
//   dotnet KestrelPlaintext.dll --urls http://127.0.0.1:5000
//   dotnet KestrelPlaintext.dll --urls https://127.0.0.1:5001 --Kestrel:Certificates:Default:Path=cert.pem
//       --Kestrel:Certificates:Default:KeyPath=key.pem --Kestrel:EndpointDefaults:Protocols=Http1
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseKestrelHttpsConfiguration(); // the slim builder leaves HTTPS out; https URLs need it
builder.Logging.ClearProviders();
var app = builder.Build();
byte[] body = "Hello, World!"u8.ToArray();
app.Run(async context =>
{
    if (context.Request.Path == "/plaintext")
    {
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body);
    }
    else
    {
        context.Response.StatusCode = 404;
    }
});
app.Run();
